// What the cases pull and run: a loopback docker-registry holding busybox and a ~100 MB six-layer image.
// The big image is random bytes mixed with hex text, so gzip does real work and nothing compresses away.
import crypto from 'node:crypto';
import { buildImage, buildLayer, busyboxImage, pushImage, type BuiltImage, type TarEntry } from '../engine/testing/image-builder';
import { startRegistry, type TestRegistry } from '../engine/testing/registry';

export interface BenchRegistry {
  registry: TestRegistry;
  /** `127.0.0.1:PORT/bench/busybox:latest` */
  busybox: string;
  stop(): Promise<void>;
}

export async function startBenchRegistry(): Promise<BenchRegistry> {
  const registry = await startRegistry();
  try {
    await pushImage(registry, 'bench/busybox', 'latest', await busyboxImage());
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return { registry, busybox: `${registry.host}/bench/busybox:latest`, stop: () => registry.stop() };
}

/** Compressed sizes of the big image's layers, in MB (sum ≈ 100). */
const LAYER_MB = [38, 24, 16, 10, 7, 5];

function layerEntries(index: number, targetMb: number): TarEntry[] {
  const entries: TarEntry[] = [{ path: `data${index}/`, type: 'directory' }];
  // gzip -1 leaves random bytes at ~100% and hex at ~55%: 3/4 random + 1/4 hex ≈ 0.89 compressed/raw.
  let budget = Math.round((targetMb * 2 ** 20) / 0.89);
  let n = 0;
  const file = (bytes: number) => {
    const random = crypto.randomBytes(Math.ceil(bytes * 0.75));
    const hex = crypto.randomBytes(Math.ceil(bytes / 8)).toString('hex');
    entries.push({ path: `data${index}/f${n++}`, content: Buffer.concat([random, Buffer.from(hex)]).subarray(0, bytes) });
    budget -= bytes;
  };
  // Like real images: a few big files (libraries, binaries) and many small ones.
  while (budget > targetMb * 2 ** 20 * 0.5) file(Math.min(budget, 4 << 20));
  while (budget > 0) file(Math.min(budget, 1024 + crypto.randomInt(48 * 1024)));
  return entries;
}

export async function buildBigImage(): Promise<BuiltImage> {
  const layers = [];
  for (let i = 0; i < LAYER_MB.length; i++) layers.push(await buildLayer(layerEntries(i, LAYER_MB[i]!)));
  return buildImage({ layers, config: { Cmd: ['/bin/sh'] } });
}

export async function pushBigImage(reg: BenchRegistry): Promise<{ ref: string; image: BuiltImage }> {
  const image = await buildBigImage();
  await pushImage(reg.registry, 'bench/big', 'latest', image);
  return { ref: `${reg.registry.host}/bench/big:latest`, image };
}
