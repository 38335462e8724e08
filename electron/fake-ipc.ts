// Test support: Electron's ipcMain / ipcRenderer / webContents reduced to what the bridge uses, joined back to
// back. Messages are structured-cloned and delivered on a later tick, as Electron's IPC does.
import { EventEmitter } from 'node:events';
import { channels } from './bridge';
import type { IpcMainLike, SenderLike } from './ipc-port';
import type { IpcRendererLike } from './renderer-bridge';

type MainListener = (event: { sender: SenderLike; senderFrame: { url: string } | null }, ...args: unknown[]) => void;

export class FakeWebContents extends EventEmitter implements SenderLike {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  destroyed = false;
  readonly rendererListeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  /** Everything main sent, for assertions. */
  readonly sent: { channel: string; payload: unknown }[] = [];

  send(channel: string, ...args: unknown[]) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const payload = structuredClone(args[0]);
    this.sent.push({ channel, payload });
    setImmediate(() => {
      if (this.destroyed) return;
      for (const l of this.rendererListeners.get(channel) ?? []) l({}, payload);
    });
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

type MainHandler = (event: { sender: SenderLike; senderFrame: { url: string } | null }, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, MainListener[]>();
  /** ipcMain.handle: one handler per channel, as Electron allows. */
  readonly handlers = new Map<string, MainHandler>();
  on(channel: string, listener: MainListener) {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  handle(channel: string, handler: MainHandler) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
}

/** The renderer side of one window: ipcRenderer as preload sees it. */
export function fakeRenderer(main: FakeIpcMain, contents: FakeWebContents, frameUrl = 'app://fd/index.html'): IpcRendererLike {
  return {
    send(channel, ...args) {
      const payload = structuredClone(args[0]);
      setImmediate(() => {
        if (contents.destroyed) return;
        for (const l of main.listeners.get(channel) ?? []) l({ sender: contents, senderFrame: { url: frameUrl } }, payload);
      });
    },
    async invoke(channel, ...args) {
      const payload = structuredClone(args[0]);
      await new Promise((resolve) => setImmediate(resolve));
      const handler = main.handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered for '${channel}'`);
      return structuredClone(await handler({ sender: contents, senderFrame: { url: frameUrl } }, payload));
    },
    on(channel, listener) {
      contents.rendererListeners.set(channel, [...(contents.rendererListeners.get(channel) ?? []), listener]);
      return this;
    },
  };
}

export const engineReplies = (contents: FakeWebContents) => contents.sent.filter((s) => s.channel === channels.engine).map((s) => s.payload);
