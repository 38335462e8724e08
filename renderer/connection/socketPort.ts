// The browser side of the WebSocket transport: one JSON ClientMessage/ServerMessage per WebSocket message.
import type { ClientMessage, Port, ServerMessage } from '../../engine/api';

/** The part of the DOM WebSocket this port uses (also satisfied by Node's `ws`). */
export interface BrowserSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void;
}

const OPEN = 1;

export class SocketPort implements Port<ClientMessage, ServerMessage> {
  private readonly listeners: ((message: ServerMessage) => void)[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  private closed = false;

  constructor(private readonly socket: BrowserSocket) {
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return; // the engine only sends JSON; anything else is not ours to act on
      }
      for (const l of this.listeners) l(message);
    });
    socket.addEventListener('close', () => this.finish());
    socket.addEventListener('error', () => this.finish(new Error('connection to the engine failed')));
  }

  send(message: ClientMessage) {
    if (!this.closed && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  onMessage(listener: (message: ServerMessage) => void) {
    this.listeners.push(listener);
  }

  onClose(listener: (reason?: Error) => void) {
    this.closeListeners.push(listener);
  }

  close() {
    this.socket.close(1000);
  }

  private finish(reason?: Error) {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(reason);
  }
}

/** Opens a WebSocket and resolves once it is open; rejects if it closes first (engine down, token refused). */
export function openSocketPort(url: string, make: (url: string) => BrowserSocket = (u) => new WebSocket(u)): Promise<SocketPort> {
  return new Promise((resolve, reject) => {
    const socket = make(url);
    let settled = false;
    socket.addEventListener('open', () => {
      settled = true;
      resolve(new SocketPort(socket));
    });
    const fail = () => {
      if (settled) return;
      settled = true;
      reject(new Error('the engine did not accept the connection'));
    };
    socket.addEventListener('close', fail);
    socket.addEventListener('error', fail);
  });
}

/** The contract endpoint of the web host that served this page, with the page's token. */
export function webHostApiUrl(location: { protocol: string; host: string; search: string }): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}
