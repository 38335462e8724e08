// The shim reaches the engine exactly as the CLI does: an EngineClient talking to `serveConnection` (the one
// handler wrapper: schema validation, error shaping, credit-controlled streams), only over an in-memory port
// instead of a socket. One link per HTTP request: when the Docker client goes away the link closes, and the
// dispatcher aborts every call and stream that request started (a dropped `/wait` or `/events` holds nothing).
import type { EngineApi } from '../api/contract';
import { EngineClient } from '../api/client';
import type { ClientMessage, Port, ServerMessage } from '../api/protocol';
import { serveConnection, type DispatchLog } from '../transport/dispatch';

type Listener<T> = (message: T) => void;

class MemoryPort<Out, In> implements Port<Out, In> {
  peer!: MemoryPort<In, Out>;
  private readonly listeners: Listener<In>[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  closed = false;

  send(message: Out) {
    if (this.closed) return;
    // Deliver on a later tick like a real medium, so neither side re-enters the other mid-handler.
    queueMicrotask(() => {
      if (!this.peer.closed) for (const l of this.peer.listeners) l(message);
    });
  }

  onMessage(listener: Listener<In>) {
    this.listeners.push(listener);
  }

  onClose(listener: (reason?: Error) => void) {
    this.closeListeners.push(listener);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
    this.peer.close();
  }
}

export interface EngineLink {
  client: EngineClient;
  /** Aborts everything started over this link. Idempotent. */
  close(): void;
}

export function openEngineLink(api: EngineApi, log?: DispatchLog): EngineLink {
  const clientPort = new MemoryPort<ClientMessage, ServerMessage>();
  const serverPort = new MemoryPort<ServerMessage, unknown>();
  clientPort.peer = serverPort as unknown as MemoryPort<ServerMessage, ClientMessage>;
  serverPort.peer = clientPort as unknown as MemoryPort<unknown, ServerMessage>;
  serveConnection(api, serverPort, log);
  const client = new EngineClient(clientPort);
  return { client, close: () => client.close() };
}
