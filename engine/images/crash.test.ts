// SIGKILL of the engine in the middle of a pull: no half-committed blob or snapshot, and the next pull
// resumes the partial download with a Range request.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFd, spawnEngine, tempRoot, type EngineProcess } from '../testing/engine';
import { startFaultProxy, startRegistry } from '../testing/registry';
import { buildImage, pushImage } from '../testing/image-builder';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(check: () => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('engine killed mid-pull', () => {
  it('leaves only a resumable ingest; the next pull resumes it and commits', async () => {
    const reg = await startRegistry();
    cleanups.push(() => reg.stop());
    const image = await buildImage({ layers: [[{ path: 'big', content: crypto.randomBytes(4 << 20) }], [{ path: 'small', content: 'x' }]] });
    await pushImage(reg, 'crash/app', 'v1', image);
    const big = image.layers[0]!;
    const hung = await startFaultProxy(reg.url, { stallBlobAfter: (d) => (d === big.digest ? 2 << 20 : undefined) });
    cleanups.push(() => hung.stop());
    const root = tempRoot('fd-crash-');
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const ingestData = path.join(root, 'images/ingest', big.digest.slice(7), 'data');

    let engine: EngineProcess = await spawnEngine(root);
    cleanups.push(() => {
      if (engine.child.exitCode === null) engine.child.kill('SIGKILL');
    });
    const pulling = runFd(['--root', root, 'pull', `${hung.host}/crash/app:v1`]);
    await until(() => fs.existsSync(ingestData) && fs.statSync(ingestData).size >= 1 << 20, 'a partial download');
    engine.child.kill('SIGKILL');
    await engine.exited;
    const failed = await pulling;
    expect(failed.code).not.toBe(0);

    expect(fs.existsSync(path.join(root, 'images/blobs/sha256', big.digest.slice(7)))).toBe(false);
    const partial = fs.statSync(ingestData).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(big.size);

    const clean = await startFaultProxy(reg.url);
    cleanups.push(() => clean.stop());
    engine = await spawnEngine(root);
    expect(fs.readdirSync(path.join(root, 'images/layers')).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    const pulled = await runFd(['--root', root, 'pull', '-q', `${clean.host}/crash/app:v1`]);
    expect(pulled).toMatchObject({ code: 0, stdout: `${clean.host}/crash/app:v1\n` });
    const gets = clean.requests.filter((r) => r.method === 'GET' && r.path.endsWith(big.digest));
    expect(gets).toHaveLength(1);
    expect(gets[0]!.range).toBe(`bytes=${partial}-`);
    expect(fs.existsSync(path.join(root, 'images/blobs/sha256', big.digest.slice(7)))).toBe(true);
    expect(fs.existsSync(path.dirname(ingestData))).toBe(false);
    engine.child.kill('SIGTERM');
    await engine.exited;
  });
});
