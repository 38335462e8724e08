// Composes the subsystems into one EngineApi. Adding a subsystem = one line in `services` below; the
// `satisfies` check fails to compile while any contract method has no handler.
import fs from 'node:fs';
import type { EngineApi } from './api/contract';
import type { EngineContext, Logger, Service } from './context';
import { openStore } from './store/db';
import { SettingsRepo } from './store/settings';
import { EventLog, defaultRetention, type RetentionPolicy } from './events/log';
import type { RootPaths } from './paths';
import { createSystemService } from './system/service';
import { createEventsService } from './events/service';
import { createNetworkService } from './network/service';
import { createVolumesService } from './volumes/service';
import { createContainersService } from './containers/service';
import { createContainerFilesService } from './containers/files-service';
import { createComposeService } from './compose/service';
import { createImagesService } from './images/service';
import { createImageArchiveService } from './images/archive-service';

export interface Engine {
  api: EngineApi;
  ctx: EngineContext;
  /** Reconciles what changed while the engine was down, then starts background work. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EngineOptions {
  paths: RootPaths;
  log: Logger;
  retention?: RetentionPolicy;
}

export function createEngine(options: EngineOptions): Engine {
  const { paths, log } = options;
  for (const dir of [paths.root, paths.containers, paths.images, paths.volumes, paths.networks, paths.tmp, paths.runtimeState]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const store = openStore(paths.store);
  const ctx: EngineContext = {
    paths,
    store,
    events: new EventLog(store, options.retention ?? defaultRetention),
    settings: new SettingsRepo(store),
    log,
    startedAt: Date.now(),
    dockerSocket: null,
    counters: {},
  };

  const system = createSystemService(ctx);
  const events = createEventsService(ctx);
  const networks = createNetworkService(ctx);
  const volumes = createVolumesService(ctx);
  const images = createImagesService(ctx);
  const imageArchive = createImageArchiveService(ctx, images);
  const containers = createContainersService(ctx);
  const containerFiles = createContainerFilesService(ctx, containers.manager);
  const compose = createComposeService(ctx);
  // Start order matters: later services may depend on earlier ones having reconciled.
  const services: Service<unknown>[] = [system, events, networks, volumes, images, imageArchive, containers, containerFiles, compose];
  // Typed as the whole EngineApi: this fails to compile while any contract method has no handler.
  const api: EngineApi = { ...system.handlers, ...events.handlers, ...networks.handlers, ...containers.handlers, ...compose.handlers, ...images.handlers, ...imageArchive.handlers, ...volumes.handlers, ...containerFiles.handlers };
  compose.bind(api);

  return {
    api,
    ctx,
    async start() {
      for (const s of services) await s.start?.();
    },
    async stop() {
      for (const s of [...services].reverse()) await s.stop?.().catch((err: Error) => log.warn(`stopping: ${err.message}`));
      store.close();
    },
  };
}
