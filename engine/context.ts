// What every subsystem receives: the root's paths, the store, the event log and a logger. Subsystems reach
// each other only through what they register here, never through globals.
import type { RootPaths } from './paths';
import type { Store } from './store/db';
import type { EventLog } from './events/log';
import type { SettingsRepo } from './store/settings';
import type { NetworkProvider } from './network/types';
import type { VolumeManager } from './volumes/manager';

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

/** The parts of an image config a container is built from (OCI image config `config` object). */
export interface ImageRunConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Docker's HEALTHCHECK: durations in nanoseconds; Test ['NONE'] disables. */
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
}

export interface ResolvedImage {
  /** `sha256:<64 hex>` of the image config. */
  id: string;
  /** The normalised reference it was found by (`docker.io/library/busybox:latest`), or the id. */
  ref: string;
  /** Unpacked layer directories, topmost first (overlayfs lowerdir order). */
  lowerDirs: string[];
  config: ImageRunConfig;
}

/**
 * What the images subsystem offers the container subsystem. The container side mounts the overlay itself; the
 * images side guarantees the layer dirs stay while any container uses them (the cache never evicts them).
 */
export interface ImageProvider {
  /** Throws not_found with "No such image: REF" when the image is not local. */
  resolve(refOrId: string): Promise<ResolvedImage>;
  addUser(imageId: string, containerId: string): void;
  removeUser(imageId: string, containerId: string): void;
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
  /** Registered by the images subsystem; absent until it starts. */
  images?: ImageProvider;
  /** Registered by the network subsystem: netns, addresses, ports and DNS for containers. */
  networks?: NetworkProvider;
  /** Registered by the volumes subsystem: volumes and the record of which container mounts which. */
  volumes?: VolumeManager;
}

/** A subsystem: its contract handlers plus optional start (reconcile) and stop hooks. */
export interface Service<H> {
  handlers: H;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
