// The preload's logic, kept free of `electron` imports so it runs under Node tests with a fake ipcRenderer.
// It builds exactly the FdBridge of bridge.ts: engine sessions and shell events, never a generic ipc handle.
import type { ClientMessage, ServerMessage } from '../engine/api/protocol';
import { channels, type ComposeRequest, type EnginePort, type FdBridge, type MainEnvelope, type RendererEnvelope, type ShellEvent } from './bridge';

/** The slice of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export function createRendererBridge(ipc: IpcRendererLike, platform: string): FdBridge {
  // Sessions share one listener: a message for a closed session is dropped here.
  const sessions = new Map<number, { message: ((m: ServerMessage) => void)[]; close: ((e?: Error) => void)[] }>();
  let nextSession = 1;
  ipc.on(channels.engine, (_event, raw) => {
    const env = raw as MainEnvelope;
    const session = env && typeof env.s === 'number' ? sessions.get(env.s) : undefined;
    if (!session) return;
    if ('closed' in env) {
      sessions.delete(env.s);
      const error = new Error(env.closed);
      for (const l of session.close) l(error);
      return;
    }
    for (const l of session.message) l(env.m);
  });

  // Events that arrive before the renderer subscribes (a compose file on argv at launch) wait for it.
  const shellListeners = new Set<(event: ShellEvent) => void>();
  const early: ShellEvent[] = [];
  ipc.on(channels.shell, (_event, raw) => {
    if (shellListeners.size === 0) early.push(raw as ShellEvent);
    for (const l of shellListeners) l(raw as ShellEvent);
  });

  const send = (env: RendererEnvelope) => ipc.send(channels.engine, env);

  return {
    engine: {
      connect(): EnginePort {
        const s = nextSession++;
        const session = { message: [] as ((m: ServerMessage) => void)[], close: [] as ((e?: Error) => void)[] };
        sessions.set(s, session);
        return {
          send: (m: ClientMessage) => {
            if (sessions.has(s)) send({ s, m });
          },
          onMessage: (listener) => void session.message.push(listener),
          onClose: (listener) => void session.close.push(listener),
          close: () => {
            if (!sessions.delete(s)) return;
            send({ s, close: true });
            for (const l of session.close) l();
          },
        };
      },
    },
    shell: {
      onEvent(listener) {
        shellListeners.add(listener);
        for (const e of early.splice(0)) listener(e);
        return () => void shellListeners.delete(listener);
      },
      composeUp: (id) => ipc.send(channels.compose, { type: 'up', id: String(id) } satisfies ComposeRequest),
      composeDismiss: (id) => ipc.send(channels.compose, { type: 'dismiss', id: String(id) } satisfies ComposeRequest),
      // Only the id crosses; whatever main answers becomes a string for the page.
      openPath: async (containerId) => String((await ipc.invoke(channels.openPath, containerId)) ?? ''),
    },
    platform,
  };
}

/**
 * Files dropped anywhere on the window go to main (which decides what to open); the default drop would
 * navigate the window to the file, which main refuses anyway.
 */
export function interceptFileDrops(target: EventTarget, pathOf: (file: File) => string, ipc: Pick<IpcRendererLike, 'send'>): void {
  target.addEventListener('dragover', (e) => e.preventDefault());
  target.addEventListener('drop', (e) => {
    const files = (e as DragEvent).dataTransfer?.files;
    if (!files || files.length === 0) return;
    e.preventDefault();
    const paths = Array.from(files, (f) => pathOf(f)).filter((p) => p.length > 0);
    if (paths.length) ipc.send(channels.dropped, { paths });
  });
}
