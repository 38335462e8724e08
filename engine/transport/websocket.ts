// The contract over a WebSocket (the web host): each WebSocket message is one JSON ClientMessage or
// ServerMessage, served by the same dispatch wrapper as the engine socket. Writes honour backpressure through
// `bufferedAmount`, so a stream to a slow browser pauses in the engine instead of queueing in memory.
import WebSocket from 'ws';
import type { EngineApi } from '../api/contract';
import { EngineClient } from '../api/client';
import { EngineError } from '../api/errors';
import type { ClientMessage, Port, ServerMessage } from '../api/protocol';
import { serveConnection, type DispatchLog } from './dispatch';

/** Bytes queued on a socket past which streams wait before sending their next item. */
export const WS_HIGH_WATER_BYTES = 1024 * 1024;

/** Adapts a `ws` socket to a message port: JSON text messages in and out. */
export class WebSocketPort<Out, In> implements Port<Out, In> {
  private readonly listeners: ((message: In) => void)[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  private readonly writableWaiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly onBadMessage: (error: Error) => void,
    private readonly highWater = WS_HIGH_WATER_BYTES,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.onBadMessage(new Error('binary messages are not part of the protocol: send JSON text'));
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch (err) {
        this.onBadMessage(new Error(`message is not JSON: ${(err as Error).message}`));
        return;
      }
      for (const l of this.listeners) l(message as In);
    });
    const finish = (err?: Error) => {
      if (this.closed) return;
      this.closed = true;
      this.wakeWriters();
      for (const l of this.closeListeners) l(err);
    };
    ws.on('close', () => finish());
    ws.on('error', (err) => finish(err));
  }

  send(message: Out) {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    // The callback runs once ws handed the bytes to the kernel: the moment bufferedAmount may have dropped.
    this.ws.send(JSON.stringify(message), () => {
      if (this.writable) this.wakeWriters();
    });
  }

  get writable() {
    return this.closed || this.ws.bufferedAmount <= this.highWater;
  }

  whenWritable(): Promise<void> {
    if (this.writable) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.add(resolve));
  }

  onMessage(listener: (message: In) => void) {
    this.listeners.push(listener);
  }

  onClose(listener: (reason?: Error) => void) {
    this.closeListeners.push(listener);
  }

  close() {
    this.ws.close(1000);
  }

  private wakeWriters() {
    const waiters = [...this.writableWaiters];
    this.writableWaiters.clear();
    for (const w of waiters) w();
  }
}

/** Serves the contract on one accepted WebSocket until it closes. */
export function serveContractOnWebSocket(api: EngineApi, ws: WebSocket, log: DispatchLog): () => void {
  const port = new WebSocketPort<ServerMessage, unknown>(ws, (error) => {
    log.warn(`web socket: ${error.message}`);
    port.send({ t: 'error', id: null, error: { code: 'invalid', message: error.message } });
  });
  return serveConnection(api, port, log);
}

/** A Node client over the WebSocket transport (tests, tools); the browser uses renderer/connection. */
export function connectWebSocket(url: string, options: { origin?: string } = {}): Promise<EngineClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: options.origin, perMessageDeflate: false });
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response');
      const port = new WebSocketPort<ClientMessage, ServerMessage>(ws, () => ws.close(1003));
      resolve(new EngineClient(port));
    });
    ws.once('unexpected-response', (_req, res) => {
      reject(new EngineError(res.statusCode === 401 ? 'unauthorized' : 'unavailable', `web host refused the connection: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (err) => reject(new EngineError('unavailable', `cannot reach the web host at ${url.replace(/token=[^&]+/, 'token=…')}: ${err.message}`)));
  });
}
