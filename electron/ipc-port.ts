// Main's side of the renderer link: session envelopes from ipcMain become Ports served by the one dispatcher
// (engine/transport/dispatch.ts), so a renderer message that does not match the contract is rejected and
// logged there, never executed. No `electron` import: tests drive it with fake ipcMain/webContents objects.
import { z } from 'zod';
import type { EngineApi } from '../engine/api/contract';
import type { Port, ServerMessage } from '../engine/api/protocol';
import { serveConnection, type DispatchLog } from '../engine/transport/dispatch';
import { channels, type MainEnvelope } from './bridge';

/** The slice of WebContents the bridge uses. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: { sender: SenderLike }, ...args: unknown[]) => void): unknown;
}

/** A renderer holds few sessions at once (one, plus one while reconnecting); more means a runaway loop. */
export const MAX_SESSIONS_PER_RENDERER = 16;

const SessionId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Envelope = z.union([z.object({ s: SessionId, m: z.unknown() }).strict(), z.object({ s: SessionId, close: z.literal(true) }).strict()]);

class IpcServerPort implements Port<ServerMessage, unknown> {
  private readonly messageListeners: ((m: unknown) => void)[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  private closed = false;

  constructor(
    private readonly sender: SenderLike,
    private readonly session: number,
  ) {}

  send(m: ServerMessage) {
    if (this.closed || this.sender.isDestroyed()) return;
    this.sender.send(channels.engine, { s: this.session, m } satisfies MainEnvelope);
  }
  onMessage(listener: (m: unknown) => void) {
    this.messageListeners.push(listener);
  }
  onClose(listener: (reason?: Error) => void) {
    this.closeListeners.push(listener);
  }
  deliver(m: unknown) {
    if (!this.closed) for (const l of this.messageListeners) l(m);
  }
  /** Ends the session; tells the renderer why unless it asked for the close itself. */
  end(reason: string | null) {
    if (this.closed) return;
    this.closed = true;
    if (reason !== null && !this.sender.isDestroyed()) this.sender.send(channels.engine, { s: this.session, closed: reason } satisfies MainEnvelope);
    for (const l of this.closeListeners) l(reason === null ? undefined : new Error(reason));
  }
  close() {
    this.end('closed by the engine');
  }
}

export interface IpcEngineBridgeOptions {
  /** The engine to serve; null while none is reachable (sessions are refused with a reason). */
  api(): EngineApi | null;
  log: DispatchLog;
  /** Only messages from our own window's frames are served. */
  accept(event: { sender: SenderLike }): boolean;
}

export class IpcEngineBridge {
  private readonly bySender = new Map<number, Map<number, IpcServerPort>>();

  constructor(
    ipc: IpcMainLike,
    private readonly options: IpcEngineBridgeOptions,
  ) {
    ipc.on(channels.engine, (event, raw) => this.receive(event, raw));
  }

  /** Sessions currently open (all renderers). */
  get sessionCount() {
    let n = 0;
    for (const m of this.bySender.values()) n += m.size;
    return n;
  }

  /** Ends every session, e.g. when the engine link changes; renderers reconnect with a new session. */
  closeAll(reason: string) {
    for (const id of [...this.bySender.keys()]) this.closeSender(id, reason);
  }

  /** Ends one renderer's sessions (it reloaded, crashed or went away): its streams stop in the engine. */
  closeSender(senderId: number, reason: string | null = null) {
    const sessions = this.bySender.get(senderId);
    if (!sessions) return;
    this.bySender.delete(senderId);
    for (const port of sessions.values()) port.end(reason);
  }

  private receive(event: { sender: SenderLike }, raw: unknown) {
    const { log } = this.options;
    if (!this.options.accept(event)) {
      log.warn(`ipc: refused an engine message from an untrusted frame (webContents ${event.sender.id})`);
      return;
    }
    const env = Envelope.safeParse(raw);
    if (!env.success) {
      log.warn(`ipc: rejected a malformed envelope from webContents ${event.sender.id}: ${env.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const sender = event.sender;
    let sessions = this.bySender.get(sender.id);
    const existing = sessions?.get(env.data.s);
    if ('close' in env.data) {
      if (existing) {
        sessions!.delete(env.data.s);
        existing.end(null);
      }
      return;
    }
    if (existing) {
      existing.deliver(env.data.m);
      return;
    }
    const api = this.options.api();
    if (!api) {
      sender.send(channels.engine, { s: env.data.s, closed: 'the engine is not reachable yet' } satisfies MainEnvelope);
      return;
    }
    if (!sessions) {
      sessions = new Map();
      this.bySender.set(sender.id, sessions);
      sender.once('destroyed', () => this.closeSender(sender.id));
    }
    if (sessions.size >= MAX_SESSIONS_PER_RENDERER) {
      log.warn(`ipc: webContents ${sender.id} opened more than ${MAX_SESSIONS_PER_RENDERER} engine sessions; refused`);
      sender.send(channels.engine, { s: env.data.s, closed: 'too many engine sessions' } satisfies MainEnvelope);
      return;
    }
    const port = new IpcServerPort(sender, env.data.s);
    sessions.set(env.data.s, port);
    serveConnection(api, port, log);
    port.deliver(env.data.m);
  }
}
