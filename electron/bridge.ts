// The one typed map of what crosses between the Electron main process and the renderer (types and channel
// names only, no Node code: main, preload and renderer all import it). Engine traffic is the contract's own
// wire protocol (ClientMessage / ServerMessage) wrapped in a session envelope, so every request is validated
// by the same dispatcher as every other transport; shell events are the few things only the desktop shell
// knows (a compose file opened with the app, a tray click).
import type { ClientMessage, Port, ServerMessage } from '../engine/api/protocol';

export const channels = {
  /** renderer → main: RendererEnvelope; main → renderer: MainEnvelope. */
  engine: 'fd:engine',
  /** main → renderer: ShellEvent. */
  shell: 'fd:shell',
  /** preload → main: DroppedFiles (paths of files dropped on the window). */
  dropped: 'fd:dropped',
} as const;

/**
 * One renderer may hold several engine sessions over time (a new one after "reconnecting"); each message
 * names its session so main can tear down exactly the streams of a closed one.
 */
export type RendererEnvelope = { s: number; m: ClientMessage } | { s: number; close: true };
export type MainEnvelope = { s: number; m: ServerMessage } | { s: number; closed: string };

export interface DroppedFiles {
  paths: string[];
}

export type ShellEvent =
  /** Show the plan of this compose file (dropped on the window, opened with the app, or passed on argv). */
  | { type: 'open-compose'; path: string }
  /** Tray "open logs": show this container's Logs tab. */
  | { type: 'show-container'; id: string; tab: 'logs' }
  /** Tray "open logs" of a compose project: show the project's interleaved logs. */
  | { type: 'show-project'; name: string; tab: 'logs' }
  /** The engine link changed: hosted here, a client of an engine already on the root, or of a child `fd engine`. */
  | { type: 'engine'; mode: 'hosted' | 'client' | 'child'; root: string };

/** An engine session as the renderer sees it: exactly the Port an EngineClient takes. */
export type EnginePort = Port<ClientMessage, ServerMessage>;

/** What preload.ts exposes as `window.fd` — nothing else reaches the renderer. */
export interface FdBridge {
  engine: {
    /** Opens a new session; `new EngineClient(window.fd.engine.connect())`. */
    connect(): EnginePort;
  };
  shell: {
    /** Subscribes to shell events; returns an unsubscribe function. */
    onEvent(listener: (event: ShellEvent) => void): () => void;
  };
  platform: string;
}
