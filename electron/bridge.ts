// The one typed map of what crosses between the Electron main process and the renderer (types and channel
// names only, no Node code: main, preload and renderer all import it). Engine traffic is the contract's own
// wire protocol (ClientMessage / ServerMessage) wrapped in a session envelope, so every request is validated
// by the same dispatcher as every other transport; shell events are the few things only the desktop shell
// knows (a compose file opened with the app, a tray click).
import type { ComposePlanResult, ComposeProgress } from '../engine/api/compose';
import type { ClientMessage, Port, ServerMessage } from '../engine/api/protocol';

export const channels = {
  /** renderer → main: RendererEnvelope; main → renderer: MainEnvelope. */
  engine: 'fd:engine',
  /** main → renderer: ShellEvent. */
  shell: 'fd:shell',
  /** preload → main: DroppedFiles (paths of files dropped on the window). */
  dropped: 'fd:dropped',
  /** renderer → main: ComposeRequest (bring up, or dismiss, a plan main sent as a `compose-plan` event). */
  compose: 'fd:compose',
  /** renderer → main, answered (invoke/handle): a container id; main opens its host path in the file manager. */
  openPath: 'fd:open-path',
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

/** The renderer's answer to a `compose-plan` event, naming it by its id. */
export type ComposeRequest = { type: 'up'; id: string } | { type: 'dismiss'; id: string };

/** An engine error as it crosses IPC. */
export interface ShellError {
  code: string;
  message: string;
}

export type ShellEvent =
  /** Show the plan of this compose file (dropped on the window, opened with the app, or passed on argv). */
  | { type: 'open-compose'; path: string }
  /** Tray "open logs": show this container's Logs tab. */
  | { type: 'show-container'; id: string; tab: 'logs' }
  /** Tray "open logs" of a compose project: show the project's interleaved logs. */
  | { type: 'show-project'; name: string; tab: 'logs' }
  /** The engine link changed: a client of an engine already on the root, or of the child engine main started. */
  | { type: 'engine'; mode: 'client' | 'child'; root: string }
  /**
   * Main asked the engine for the plan of a compose file that was dropped or opened (it follows that file's
   * `open-compose`). `result.ok` false carries the loader's errors with file and line. The renderer shows it
   * and answers with ComposeRequest `up` or `dismiss` (FdBridge.shell.composeUp / composeDismiss).
   */
  | { type: 'compose-plan'; id: string; path: string; result: ComposePlanResult }
  /** `compose.up` progress of a confirmed plan, item by item as the engine reports it. */
  | { type: 'compose-progress'; id: string; item: ComposeProgress }
  /** The plan could not be made, or `up` ended: error null when every step succeeded. */
  | { type: 'compose-done'; id: string; path: string; error: ShellError | null };

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
    /** Runs `compose up` for the plan of this `compose-plan` event; progress comes as `compose-progress`. */
    composeUp(id: string): void;
    /** The user closed the plan without bringing it up (or cancels a running up). */
    composeDismiss(id: string): void;
    /**
     * Opens this container's root filesystem in the desktop's file manager. Main asks the engine for the host
     * path itself (the renderer never names a path); resolves with an error message, or '' when it opened.
     */
    openPath(containerId: string): Promise<string>;
  };
  platform: string;
}
