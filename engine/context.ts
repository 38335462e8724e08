// What every subsystem receives: the root's paths, the store, the event log and a logger. Subsystems reach
// each other only through what they register here, never through globals.
import type { RootPaths } from './paths';
import type { Store } from './store/db';
import type { EventLog } from './events/log';
import type { SettingsRepo } from './store/settings';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.error(`[fd] ${m}`),
  warn: (m) => console.error(`[fd] warning: ${m}`),
  error: (m) => console.error(`[fd] error: ${m}`),
};

export interface EngineCounts {
  containers: number;
  running: number;
  paused: number;
  stopped: number;
  images: number;
  volumes: number;
  networks: number;
}

export interface EngineContext {
  paths: RootPaths;
  store: Store;
  events: EventLog;
  settings: SettingsRepo;
  log: Logger;
  startedAt: number;
  /** Set by the host once the Docker API socket listens. */
  dockerSocket: string | null;
  /** Subsystems add their share of `fd info` counts here. */
  counters: Partial<{ [K in keyof EngineCounts]: () => number }>;
}

/** A subsystem: its contract handlers plus optional start (reconcile) and stop hooks. */
export interface Service<H> {
  handlers: H;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
