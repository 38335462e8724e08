// The setup and teardown most engine tests share: a busybox rootfs on disk, a loopback registry holding a
// busybox image, and a teardown that leaves no container, mount or temp root behind.
import fs from 'node:fs';
import path from 'node:path';
import { startTestEngine, tempRoot, type TestEngine } from './engine';
import { startRegistry, type TestRegistry } from './registry';
import { busyboxImage, pushImage } from './image-builder';
import { buildBusyboxRootfs } from './rootfs';
import type { HostOptions } from '../host';
import type { EngineClient } from '../api/client';

/**
 * Force-removes every container (`volumes`: with its anonymous volumes; `networks`: then every network but
 * bridge, host and none, whose bridges and firewall rules live in the host, not under the root), closes the
 * engine and deletes its root. Accepts an engine that never started (a failed beforeAll). The root is removed
 * even when a removal fails; the failure is then rethrown so a leaking teardown is seen.
 */
export async function closeTestEngine(engine: TestEngine | undefined, options: { volumes?: boolean; networks?: boolean } = {}): Promise<void> {
  if (!engine) return;
  const failures: unknown[] = [];
  // An engine that already died cannot list: there is nothing left to remove through it.
  for (const c of await engine.client.call('containers.list', { all: true }).catch(() => [])) {
    await engine.client.call('containers.remove', { id: c.id, force: true, ...(options.volumes ? { volumes: true } : {}) }).catch((e: unknown) => failures.push(e));
  }
  if (options.networks) {
    for (const n of await engine.client.call('networks.list', {}).catch(() => [])) {
      if (!['bridge', 'host', 'none'].includes(n.name)) await engine.client.call('networks.remove', { id: n.id }).catch((e: unknown) => failures.push(e));
    }
  }
  await engine.close();
  fs.rmSync(engine.root, { recursive: true, force: true });
  if (failures.length) throw new AggregateError(failures, `teardown could not remove ${failures.length} container(s)`);
}

export interface BusyboxRootfs {
  /** A temp directory for the test's own files; `rootfs` is `work/rootfs`. */
  work: string;
  rootfs: string;
  remove(): void;
}

/** A busybox rootfs in a fresh temp directory (containers created with `rootfs` need no image or network). */
export function busyboxRootfs(prefix = 'fd-fixture-'): BusyboxRootfs {
  const work = tempRoot(prefix);
  const rootfs = buildBusyboxRootfs(path.join(work, 'rootfs'));
  return { work, rootfs, remove: () => fs.rmSync(work, { recursive: true, force: true }) };
}

export interface ImageEngine {
  engine: TestEngine;
  registry: TestRegistry;
  /** `HOST/REPO:TAG` of the pushed busybox image (not pulled yet: pulling may be what a test checks). */
  image: string;
  /** The image's config digest, the id `images.list` reports for it. */
  imageId: string;
  /** closeTestEngine, then stops the registry. */
  close(): Promise<void>;
}

/** A test engine plus a loopback docker-registry holding busybox at `repo:tag`. */
export async function startImageEngine(options: { repo?: string; tag?: string; engine?: Partial<HostOptions> } = {}): Promise<ImageEngine> {
  const { repo = 'tools/busybox', tag = '1.0' } = options;
  const registry = await startRegistry();
  let engine: TestEngine | undefined;
  try {
    const built = await busyboxImage();
    await pushImage(registry, repo, tag, built);
    engine = await startTestEngine(options.engine);
    const started = engine;
    return {
      engine,
      registry,
      image: `${registry.host}/${repo}:${tag}`,
      imageId: built.config.digest,
      async close() {
        try {
          await closeTestEngine(started);
        } finally {
          await registry.stop();
        }
      },
    };
  } catch (e) {
    await closeTestEngine(engine).catch(() => undefined);
    await registry.stop();
    throw e;
  }
}

export interface BusyboxRegistry {
  /** `HOST/library/busybox:latest`. */
  ref: string;
  registry: TestRegistry;
}

/** A new loopback registry serving busybox as `ref`; the caller stops `registry`. */
export async function servedBusybox(): Promise<BusyboxRegistry> {
  const registry = await startRegistry();
  try {
    await pushImage(registry, 'library/busybox', 'latest', await busyboxImage());
    return { ref: `${registry.host}/library/busybox:latest`, registry };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}

/** servedBusybox, with the image already pulled into `client`'s engine; the caller stops `registry`. */
export async function pullBusybox(client: EngineClient): Promise<BusyboxRegistry> {
  const served = await servedBusybox();
  try {
    for await (const p of client.stream('images.pull', { ref: served.ref })) void p;
    return served;
  } catch (e) {
    await served.registry.stop();
    throw e;
  }
}
