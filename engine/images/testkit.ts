// Test helper: an images service over a throwaway root (real SQLite, real content store), no engine host.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallContext } from '../api/contract';
import type { PullProgress } from '../api/images';
import type { EngineContext } from '../context';
import { EventLog, defaultRetention } from '../events/log';
import { rootPaths } from '../paths';
import { openStore } from '../store/db';
import { SettingsRepo } from '../store/settings';
import { createImagesService, type ImagesService } from './service';

export interface ImagesHarness {
  ctx: EngineContext;
  svc: ImagesService;
  root: string;
  pull(ref: string, platform?: string): Promise<PullProgress[]>;
  close(): void;
}

export const callCtx = (): CallContext => ({ signal: new AbortController().signal });

/** The engine context the images service needs, over `root` (its dirs made, its store opened). */
export function imagesContext(root: string): EngineContext {
  const paths = rootPaths(root);
  for (const d of [paths.images, paths.tmp]) fs.mkdirSync(d, { recursive: true });
  const store = openStore(paths.store);
  return {
    paths,
    store,
    events: new EventLog(store, defaultRetention),
    settings: new SettingsRepo(store),
    log: { info() {}, warn() {}, error() {} },
    startedAt: Date.now(),
    dockerSocket: null,
    counters: {},
  };
}

export async function imagesHarness(settings: Record<string, unknown> = {}): Promise<ImagesHarness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-images-'));
  const ctx = imagesContext(root);
  for (const [k, v] of Object.entries(settings)) ctx.settings.set(k, v);
  const svc = createImagesService(ctx, { dockerConfig: path.join(root, 'docker-config') });
  await svc.start?.();
  return {
    ctx,
    svc,
    root,
    async pull(ref, platform) {
      const items: PullProgress[] = [];
      for await (const p of svc.handlers['images.pull']({ ref, ...(platform ? { platform } : {}) }, callCtx())) items.push(p);
      return items;
    },
    close() {
      ctx.store.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
