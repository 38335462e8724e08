// Mounts with real runc + conmon: named volumes outlive their container, read-only and read-write binds, a
// read-only root, tmpfs, and copy-up from a --rootfs dir and from an image VOLUME. Three container starts in all.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, type BusyboxRootfs } from '../testing/fixtures';
import type { EngineClient } from '../api/client';

let engine: TestEngine;
let client: EngineClient;
let box: BusyboxRootfs;
let fixtures: string;
let rootfs: string;

beforeAll(async () => {
  box = busyboxRootfs('fd-mounts-fixture-');
  ({ work: fixtures, rootfs } = box);
  // What copy-up must carry into a new volume: content, ownership and modes.
  fs.mkdirSync(path.join(rootfs, 'seed'), { mode: 0o750 });
  fs.chmodSync(path.join(rootfs, 'seed'), 0o750);
  fs.writeFileSync(path.join(rootfs, 'seed', 'secret'), 'from the image\n', { mode: 0o600 });
  fs.chownSync(path.join(rootfs, 'seed'), 1000, 1000);
  fs.chownSync(path.join(rootfs, 'seed', 'secret'), 1000, 1000);
  engine = await startTestEngine();
  client = engine.client;
});

afterAll(async () => {
  await closeTestEngine(engine, { volumes: true });
  box?.remove();
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** Runs a created container to its end; returns its exit code and output lines (stdout and stderr). */
async function runToEnd(id: string): Promise<{ code: number; lines: string[] }> {
  await client.call('containers.start', { id });
  const { exitCode } = await client.call('containers.wait', { id });
  const lines = (await collect(client.stream('containers.logs', { id }))).map((l) => l.line);
  return { code: exitCode, lines };
}

const volumeActions = (name: string) =>
  engine.host.engine.ctx.events
    .list({ limit: 1000 })
    .filter((e) => e.type === 'volume' && e.actor.id === name)
    .reverse()
    .map((e) => e.action);

describe('mounts in a running container', () => {
  it('volume, rw and ro binds, tmpfs, copy-up and a read-only root behave as docker; a named volume outlives its container', async () => {
    const rwDir = path.join(fixtures, 'rw');
    fs.mkdirSync(rwDir);
    const roDir = path.join(fixtures, 'ro');
    fs.mkdirSync(roDir);
    fs.writeFileSync(path.join(roDir, 'given'), 'read me\n');
    const script = [
      'echo hello > /data/file && echo data-ok',
      'echo from-container > /rw/out && echo rw-ok',
      'cat /ro/given',
      "sh -c 'echo x > /ro/nope' 2>&1; echo ro-exit=$?",
      "sh -c 'touch /rootfile' 2>&1; echo root-exit=$?",
      'echo ok > /scratch/t && echo scratch-ok',
      'grep " /scratch " /proc/mounts',
      "stat -c 'seed %a %u:%g' /seed; stat -c 'secret %a %u:%g' /seed/secret; cat /seed/secret",
    ].join('; ');
    const { id } = await client.call('containers.create', {
      rootfs,
      networkMode: 'none',
      readOnlyRootfs: true,
      cmd: ['sh', '-c', script],
      mounts: [
        { type: 'volume', source: 'persist', target: '/data' },
        { type: 'bind', source: rwDir, target: '/rw' },
        { type: 'bind', source: roDir, target: '/ro', readOnly: true },
        { type: 'tmpfs', target: '/scratch', tmpfsSizeBytes: 1 << 20, tmpfsMode: 0o1770 },
        { type: 'volume', source: '', target: '/seed' },
      ],
    });
    const { code, lines } = await runToEnd(id);
    expect(code).toBe(0);
    expect(lines).toContain('data-ok');
    expect(lines).toContain('rw-ok');
    expect(lines).toContain('read me');
    expect(lines).toContain('scratch-ok');
    // The read-only bind and the read-only root refuse writes, with the kernel's reason and a failing exit code.
    expect(lines.join('\n')).toMatch(/can't create \/ro\/nope: Read-only file system\nro-exit=[12]/);
    expect(lines.join('\n')).toMatch(/touch: \/rootfile: Read-only file system\nroot-exit=1/);
    expect(fs.existsSync(path.join(roDir, 'nope'))).toBe(false);
    expect(fs.existsSync(path.join(rootfs, 'rootfile'))).toBe(false);
    // The rw bind's write landed on the host.
    expect(fs.readFileSync(path.join(rwDir, 'out'), 'utf8')).toBe('from-container\n');
    // tmpfs is a tmpfs, with its size and mode.
    const tmpfsLine = lines.find((l) => l.includes(' /scratch '))!;
    expect(tmpfsLine).toMatch(/^tmpfs \/scratch tmpfs rw,.*size=1024k,mode=1770/);
    // Copy-up: the new anonymous volume got the rootfs's /seed with ownership and modes.
    expect(lines).toContain('seed 750 1000:1000');
    expect(lines).toContain('secret 600 1000:1000');
    expect(lines).toContain('from the image');

    const inspected = await client.call('containers.inspect', { id });
    const anon = inspected.mounts.find((m) => m.destination === '/seed')!.name;
    expect(inspected.mounts.map((m) => [m.type, m.destination, m.rw])).toEqual([
      ['volume', '/data', true],
      ['bind', '/rw', true],
      ['bind', '/ro', false],
      ['tmpfs', '/scratch', true],
      ['volume', '/seed', true],
    ]);
    expect(volumeActions('persist')).toEqual(['create', 'mount', 'unmount']);
    expect(fs.readFileSync(path.join(engine.root, 'volumes', anon, '_data', 'secret'), 'utf8')).toBe('from the image\n');

    // rm -v: the anonymous volume goes, the named one stays with its data for the next container.
    await client.call('containers.remove', { id, volumes: true });
    expect(fs.existsSync(path.join(engine.root, 'volumes', anon))).toBe(false);
    // --rm: the next container sees the data, and its own anonymous volume goes with it (docker's --rm).
    const { id: next } = await client.call('containers.create', {
      rootfs,
      networkMode: 'none',
      autoRemove: true,
      cmd: ['cat', '/data/file'],
      mounts: [
        { type: 'volume', source: 'persist', target: '/data' },
        { type: 'volume', source: '', target: '/extra' },
      ],
    });
    const extra = (await client.call('containers.inspect', { id: next })).mounts[1]!.name;
    const chunks = await collect(client.stream('containers.attach', { id: next, start: true }));
    const stdout = chunks.filter((c) => c.stream === 'stdout').map((c) => Buffer.from(c.data, 'base64').toString()).join('');
    expect([stdout, chunks.at(-1)!.exitCode]).toEqual(['hello\n', 0]);
    await client.call('containers.wait', { id: next, condition: 'removed' });
    await expect(client.call('volumes.inspect', { name: extra })).rejects.toMatchObject({ code: 'not_found' });
    expect((await client.call('volumes.inspect', { name: 'persist' })).containers).toEqual([]);
    await client.call('volumes.remove', { name: 'persist' });
  });
});

describe('image VOLUMEs', () => {
  it('get an anonymous volume filled from the image (ownership kept) that rm -v removes', async () => {
    const { startRegistry } = await import('../testing/registry');
    const { buildImage, busyboxLayer, pushImage } = await import('../testing/image-builder');
    const reg = await startRegistry();
    try {
      const image = await buildImage({
        layers: [
          await busyboxLayer(),
          [
            { path: 'var/', type: 'directory' },
            { path: 'var/lib/', type: 'directory' },
            { path: 'var/lib/app/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 },
            { path: 'var/lib/app/seeded', content: 'seeded by the image\n', mode: 0o640, uid: 1000, gid: 1000 },
          ],
        ],
        config: { Cmd: ['sh'], Env: ['PATH=/bin'], Volumes: { '/var/lib/app': {} } },
      });
      await pushImage(reg, 'vol/app', 'v1', image);
      const ref = `${reg.host}/vol/app:v1`;
      await collect(client.stream('images.pull', { ref }));
      const { id } = await client.call('containers.create', {
        image: ref,
        networkMode: 'none',
        cmd: ['sh', '-c', "stat -c '%a %u' /var/lib/app; cat /var/lib/app/seeded; echo more > /var/lib/app/added"],
      });
      const [mount] = (await client.call('containers.inspect', { id })).mounts;
      expect(mount).toMatchObject({ type: 'volume', destination: '/var/lib/app', rw: true });
      expect(mount!.name).toMatch(/^[0-9a-f]{64}$/);
      expect((await client.call('volumes.inspect', { name: mount!.name })).anonymous).toBe(true);
      expect(await runToEnd(id)).toEqual({ code: 0, lines: ['700 1000', 'seeded by the image'] });
      expect(fs.readFileSync(path.join(mount!.source, 'added'), 'utf8')).toBe('more\n');
      await client.call('containers.remove', { id, volumes: true });
      await expect(client.call('volumes.inspect', { name: mount!.name })).rejects.toMatchObject({ code: 'not_found' });
      await client.call('images.remove', { ref });
    } finally {
      await reg.stop();
    }
  });
});

describe('across an engine restart', () => {
  it('a container started by the previous engine still gets its unmount event when it stops', async () => {
    const own = await startTestEngine();
    let again: TestEngine | undefined;
    try {
      const { id } = await own.client.call('containers.create', {
        rootfs,
        networkMode: 'none',
        cmd: ['sleep', '60'],
        mounts: [{ type: 'volume', source: 'across', target: '/data' }],
      });
      await own.client.call('containers.start', { id });
      await own.close(); // containers outlive the engine
      again = await startTestEngine({ root: own.root });
      await again.client.call('containers.stop', { id, timeout: 0 });
      const actions = again.host.engine.ctx.events
        .list({ limit: 100 })
        .filter((e) => e.type === 'volume' && e.actor.id === 'across')
        .reverse()
        .map((e) => e.action);
      expect(actions).toEqual(['create', 'mount', 'unmount']);
      await again.client.call('containers.remove', { id });
    } finally {
      if (again) await again.close();
      fs.rmSync(own.root, { recursive: true, force: true });
    }
  });
});
