// Container filesystem access against a real engine: `fd cp` both ways (bin/fd, the built CLI), stopped and
// running containers, escapes that must stay inside the container, and `fd diff` on an image container.
// Containers run with no network: file access has nothing to do with it.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, pullBusybox, type BusyboxRootfs } from '../testing/fixtures';
import { tarOf } from '../testing/image-builder';
import { isMounted } from '../runtime/overlay';

let engine: TestEngine;
let box: BusyboxRootfs;
let work: string;
let rootfs: string;
const fd = (...args: string[]) => runFd(['--root', engine.root, ...args]);
const secs = (iso: string) => new Date(iso);

async function running(name: string, extra: Record<string, unknown> = {}) {
  const { id } = await engine.client.call('containers.create', { networkMode: 'none', name, rootfs, cmd: ['sleep', '300'], ...extra });
  await engine.client.call('containers.start', { id });
  return id;
}

/** Sends a whole tar through containers.archivePut in two chunks, as a client would. */
async function put(id: string, dir: string, tar: Buffer, options: { noOverwriteDirNonDir?: boolean } = {}) {
  const uploadId = crypto.randomUUID();
  const half = Math.floor(tar.length / 2);
  await engine.client.call('containers.archivePut', { id, path: dir, uploadId, data: tar.subarray(0, half).toString('base64'), ...options });
  await engine.client.call('containers.archivePut', { id, path: dir, uploadId, data: tar.subarray(half).toString('base64'), eof: true, ...options });
}

function modeOf(p: string) {
  return fs.lstatSync(p).mode & 0o7777;
}

beforeAll(async () => {
  engine = await startTestEngine();
  box = busyboxRootfs('fd-files-');
  ({ work, rootfs } = box);
  // Links a careless implementation would follow onto the host's files.
  fs.symlinkSync('/etc/passwd', path.join(rootfs, 'abs-passwd'));
  fs.symlinkSync('../../../../../../etc', path.join(rootfs, 'climb'));
}, 60_000);

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

describe('fd cp', () => {
  it('round-trips a file and a directory tree into and out of a running container, keeping content, mode and mtime', async () => {
    await running('cp-run');
    const src = path.join(work, 'src');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'sub', 'a.txt'), 'alpha\n');
    fs.writeFileSync(path.join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    fs.symlinkSync('sub/a.txt', path.join(src, 'link'));
    fs.chmodSync(path.join(src, 'sub', 'a.txt'), 0o640);
    fs.chmodSync(path.join(src, 'run.sh'), 0o755);
    fs.chmodSync(path.join(src, 'sub'), 0o750);
    const when = secs('2020-01-02T03:04:05Z');
    for (const p of ['sub/a.txt', 'run.sh', 'sub', '.']) fs.utimesSync(path.join(src, p), when, when);

    expect(await fd('cp', src, 'cp-run:/tmp/')).toMatchObject({ code: 0 });
    // A single file to a new name.
    expect(await fd('cp', path.join(src, 'run.sh'), 'cp-run:/tmp/renamed.sh')).toMatchObject({ code: 0 });
    const inside = await engine.client.call('containers.stat', { id: 'cp-run', path: '/tmp/src/sub/a.txt' });
    expect(inside).toMatchObject({ type: 'file', size: 6, mode: 0o640, mtime: when.getTime() });
    const exec = await engine.client.call('exec.create', { id: 'cp-run', cmd: ['sh', '-c', '/tmp/renamed.sh; cat /tmp/src/link'] });
    const out: string[] = [];
    for await (const c of engine.client.stream('exec.start', { id: exec.id })) if (c.stream === 'stdout') out.push(Buffer.from(c.data, 'base64').toString());
    expect(out.join('')).toBe('hi\nalpha\n');

    const back = path.join(work, 'back');
    expect(await fd('cp', 'cp-run:/tmp/src', back)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(back, 'sub', 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(modeOf(path.join(back, 'sub', 'a.txt'))).toBe(0o640);
    expect(modeOf(path.join(back, 'run.sh'))).toBe(0o755);
    expect(modeOf(path.join(back, 'sub'))).toBe(0o750);
    expect(fs.readlinkSync(path.join(back, 'link'))).toBe('sub/a.txt');
    for (const p of ['sub/a.txt', 'run.sh', 'sub', '.']) expect(fs.lstatSync(path.join(back, p)).mtimeMs).toBe(when.getTime());

    // DIR/. copies the contents into an existing directory; `-` writes a tar to stdout.
    const into = path.join(work, 'into');
    fs.mkdirSync(into);
    expect(await fd('cp', 'cp-run:/tmp/src/.', into)).toMatchObject({ code: 0 });
    expect(fs.readdirSync(into).sort()).toEqual(['link', 'run.sh', 'sub']);
    const tar = await fd('cp', 'cp-run:/tmp/src/sub/a.txt', '-');
    expect(tar.code).toBe(0);
    expect(tar.stdout.slice(0, 5)).toBe('a.txt');
  });

  it('copies out of and into a stopped container', async () => {
    const { id } = await engine.client.call('containers.create', { networkMode: 'none', name: 'cp-stopped', rootfs, cmd: ['sh', '-c', 'echo made > /made.txt; cat /put.txt 2>/dev/null'] });
    await engine.client.call('containers.start', { id });
    await engine.client.call('containers.wait', { id });
    const dest = path.join(work, 'made.txt');
    expect(await fd('cp', 'cp-stopped:/made.txt', dest)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(dest, 'utf8')).toBe('made\n');
    const local = path.join(work, 'put.txt');
    fs.writeFileSync(local, 'put while stopped\n');
    expect(await fd('cp', local, 'cp-stopped:/put.txt')).toMatchObject({ code: 0 });
    await engine.client.call('containers.start', { id });
    await engine.client.call('containers.wait', { id });
    const logs: string[] = [];
    for await (const l of engine.client.stream('containers.logs', { id })) logs.push(l.line);
    expect(logs).toEqual(['put while stopped']);
    const missing = await fd('cp', 'cp-stopped:/nope', work);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find the file /nope in container cp-stopped');
  });
});

describe('mounts of a stopped container', () => {
  it('copies into and out of its volumes and binds, and refuses a read-only mount', async () => {
    const bind = path.join(work, 'ro-bind');
    fs.mkdirSync(bind);
    fs.writeFileSync(path.join(bind, 'kept.txt'), 'bound\n');
    const { id } = await engine.client.call('containers.create', {
      networkMode: 'none',
      name: 'cp-mounts',
      rootfs,
      cmd: ['cat', '/data/in.txt'],
      mounts: [
        { type: 'volume', source: 'fd-files-test-vol', target: '/data' },
        { type: 'bind', source: bind, target: '/ro', readOnly: true },
      ],
    });
    const local = path.join(work, 'in.txt');
    fs.writeFileSync(local, 'into the volume\n');
    expect(await fd('cp', local, 'cp-mounts:/data/')).toMatchObject({ code: 0 });
    expect(fs.existsSync(path.join(rootfs, 'data', 'in.txt'))).toBe(false);
    await engine.client.call('containers.start', { id });
    await engine.client.call('containers.wait', { id });
    const logs: string[] = [];
    for await (const l of engine.client.stream('containers.logs', { id })) logs.push(l.line);
    expect(logs).toEqual(['into the volume']);

    // A directory copied out holds what its mounts hold.
    const whole = path.join(work, 'whole-root');
    expect(await fd('cp', 'cp-mounts:/', whole)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(whole, 'data', 'in.txt'), 'utf8')).toBe('into the volume\n');
    expect(fs.readFileSync(path.join(whole, 'ro', 'kept.txt'), 'utf8')).toBe('bound\n');
    const out = path.join(work, 'kept-out.txt');
    expect(await fd('cp', 'cp-mounts:/ro/kept.txt', out)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(out, 'utf8')).toBe('bound\n');
    const refused = await fd('cp', local, 'cp-mounts:/ro/');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('read-only mount');
    expect(fs.existsSync(path.join(bind, 'in.txt'))).toBe(false);
    await engine.client.call('containers.remove', { id, volumes: true });
    await engine.client.call('volumes.remove', { name: 'fd-files-test-vol' }).catch(() => undefined);
  });
});

describe('paths stay inside the container', () => {
  it("follows links the container's way: an absolute link reads the container's file, `..` stops at its root", async () => {
    await running('safe-read');
    const containerPasswd = fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8');
    expect(containerPasswd).not.toBe(fs.readFileSync('/etc/passwd', 'utf8'));
    const read = await engine.client.call('containers.readFile', { id: 'safe-read', path: '/abs-passwd' });
    expect(Buffer.from(read.data, 'base64').toString()).toBe(containerPasswd);
    const viaClimb = await engine.client.call('containers.readFile', { id: 'safe-read', path: '/climb/passwd' });
    expect(Buffer.from(viaClimb.data, 'base64').toString()).toBe(containerPasswd);
    const up = await engine.client.call('containers.listDir', { id: 'safe-read', path: '/../../../..' });
    expect(up.path).toBe('/');
    expect(up.entries.map((e) => e.name)).toContain('abs-passwd');
    const st = await engine.client.call('containers.stat', { id: 'safe-read', path: '/abs-passwd' });
    expect(st).toMatchObject({ type: 'symlink', link: '/etc/passwd', linkTarget: '/etc/passwd' });
    const out = path.join(work, 'followed');
    expect(await fd('cp', '-L', 'safe-read:/abs-passwd', out)).toMatchObject({ code: 0 });
    expect(fs.readFileSync(out, 'utf8')).toBe(containerPasswd);
  });

  it('refuses tar entries that climb out or are absolute, and writes through links land inside the container', async () => {
    const id = await running('safe-write');
    const outside = path.dirname(rootfs);
    for (const [name, hostile] of [
      ['../escape.txt', [{ path: 'ok.txt', content: 'ok' }, { path: '../escape.txt', content: 'pwned' }]],
      ['/abs.txt', [{ path: '/abs.txt', content: 'pwned' }]],
      ['tmp/../../escape2.txt', [{ path: 'tmp/../../escape2.txt', content: 'pwned' }]],
    ] as const) {
      await expect(put(id, '/tmp', await tarOf([...hostile]))).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining(`"${name}"`) });
    }
    expect(fs.existsSync(path.join(outside, 'escape.txt'))).toBe(false);
    expect(fs.existsSync(path.join(outside, 'escape2.txt'))).toBe(false);
    expect(fs.existsSync(path.join(rootfs, 'escape.txt'))).toBe(false);
    await expect(put(id, '/tmp', await tarOf([{ path: 'hard', type: 'link', linkname: '../../etc/passwd' }]))).rejects.toMatchObject({ code: 'invalid' });

    // A link in the tar pointing at '/' and an entry through it: the write lands in the container's /etc.
    const marker = `fd-files-test-${process.pid}`;
    await put(id, '/tmp', await tarOf([{ path: 'root', type: 'symlink', linkname: '/' }, { path: `root/etc/${marker}`, content: 'inside' }]));
    expect(fs.existsSync(`/etc/${marker}`)).toBe(false);
    expect(fs.readFileSync(path.join(rootfs, 'etc', marker), 'utf8')).toBe('inside');
    // Extracting into a directory reached through the climbing link stays inside too.
    await put(id, '/climb', await tarOf([{ path: `${marker}-2`, content: 'inside' }]));
    expect(fs.existsSync(`/etc/${marker}-2`)).toBe(false);
    expect(fs.existsSync(path.join(rootfs, 'etc', `${marker}-2`))).toBe(true);
  });
});

describe('a directory an upload resolved earlier and then replaced', () => {
  // Extraction remembers the directories it resolved; an entry that replaces one (here `d`, reached through
  // the link `l`) must not leave later entries writing through the old host path: for a running container
  // that path is under /proc/PID/root, where an absolute link resolves against the host's root. Replacing a
  // directory needs noOverwriteDirNonDir off, which is what fd cp and the Docker API's default send.
  it('cannot be used to write through a link planted in its place', async () => {
    const id = await running('replaced-dir');
    const bait = fs.mkdtempSync(path.join(work, 'bait-'));
    await put(id, '/tmp', await tarOf([
      { path: 'd/', type: 'directory' },
      { path: 'l', type: 'symlink', linkname: 'd' },
      { path: 'l/x/', type: 'directory' },
      { path: 'd', type: 'symlink', linkname: bait },
      { path: 'l/y', content: 'pwned' },
    ]), { noOverwriteDirNonDir: false }).catch((err: unknown) => expect(err).toMatchObject({ code: 'invalid' }));
    expect(fs.readdirSync(bait)).toEqual([]);
    // Replaced by a file instead: the next entry through the link is refused by name, not a raw ENOTDIR.
    await expect(put(id, '/tmp', await tarOf([
      { path: 'e/', type: 'directory' },
      { path: 'k', type: 'symlink', linkname: 'e' },
      { path: 'k/x/', type: 'directory' },
      { path: 'e', content: 'now a file' },
      { path: 'k/y/', type: 'directory' },
    ]), { noOverwriteDirNonDir: false })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('not a directory') });
  });
});

describe('a running container while its files are used', () => {
  const runcStatus = (id: string) => (JSON.parse(execFileSync('runc', ['--root', engine.host.paths.runtimeState, 'state', id], { encoding: 'utf8' })) as { status: string }).status;

  it('is frozen while a copy reads its files, and thawed once the reader is done', async () => {
    const id = await running('frozen');
    const stream = engine.client.stream('containers.archiveGet', { id, path: '/bin' }, { window: 1 });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    expect(runcStatus(id)).toBe('paused');
    await it.return?.();
    const deadline = Date.now() + 10_000;
    while (runcStatus(id) !== 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runcStatus(id)).toBe('running');
    expect((await engine.client.call('containers.inspect', { id })).state.status).toBe('running');
  });

  it('is thawed by the next engine when the engine stopped in the middle of a copy', async () => {
    const second = await startTestEngine();
    try {
      const { id } = await second.client.call('containers.create', { networkMode: 'none', rootfs, cmd: ['sleep', '300'] });
      await second.client.call('containers.start', { id });
      const runc = (...args: string[]) => execFileSync('runc', ['--root', second.host.paths.runtimeState, ...args], { encoding: 'utf8' });
      runc('pause', id); // what a copy in progress leaves behind
      await second.close();
      const again = await startTestEngine({ root: second.root });
      try {
        expect((JSON.parse(runc('state', id)) as { status: string }).status).toBe('running');
      } finally {
        // A frozen container ignores SIGKILL (cgroup v1): thaw it before removing, whatever the test found.
        try {
          runc('resume', id);
        } catch {
          // not frozen: the expected case
        }
        await again.client.call('containers.remove', { id, force: true }).catch(() => undefined);
        await again.close();
      }
    } finally {
      fs.rmSync(second.root, { recursive: true, force: true });
    }
  });
});

describe('image containers', () => {
  it('fd diff lists what a container added, changed and deleted; cp works on its overlay while stopped', async () => {
    const { ref, registry: reg } = await pullBusybox(engine.client);
    try {
      const script = 'echo new > /added.txt; echo more >> /etc/passwd; rm /etc/group; mkdir -p /newdir/sub; echo x > /newdir/sub/f';
      const { id } = await engine.client.call('containers.create', { networkMode: 'none', name: 'differ', image: ref, cmd: ['sh', '-c', script] });
      await engine.client.call('containers.start', { id });
      await engine.client.call('containers.wait', { id });
      const r = await fd('diff', 'differ');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(['A /added.txt', 'C /etc', 'D /etc/group', 'C /etc/passwd', 'A /newdir', 'A /newdir/sub', 'A /newdir/sub/f']);

      const merged = path.join(engine.root, 'containers', id, 'rootfs');
      expect(isMounted(merged)).toBe(false);
      // Two copies at once share one mount of the stopped container's overlay, and leave none behind.
      const dest = path.join(work, 'passwd-from-image');
      const [a, b] = await Promise.all([fd('cp', 'differ:/etc/passwd', dest), fd('cp', 'differ:/newdir', path.join(work, 'newdir-from-image'))]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(fs.readFileSync(dest, 'utf8')).toMatch(/\nmore\n$/);
      expect(fs.readFileSync(path.join(work, 'newdir-from-image', 'sub', 'f'), 'utf8')).toBe('x\n');
      expect(isMounted(merged)).toBe(false);
      await expect(engine.client.call('containers.hostPath', { id })).rejects.toMatchObject({ code: 'conflict' });

      // Writes into the stopped container land in its upper dir: diff sees them, and the mount is gone after.
      const local = path.join(work, 'late.txt');
      fs.writeFileSync(local, 'late\n');
      expect(await fd('cp', local, 'differ:/newdir/late.txt')).toMatchObject({ code: 0 });
      expect(isMounted(merged)).toBe(false);
      expect((await fd('diff', 'differ')).stdout).toContain('A /newdir/late.txt\n');

      // A read-only root filesystem takes no copies while stopped either.
      const ro = await engine.client.call('containers.create', { networkMode: 'none', name: 'ro', image: ref, cmd: ['true'], readOnlyRootfs: true });
      const refused = await fd('cp', local, 'ro:/late.txt');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('read-only root filesystem');
      await engine.client.call('containers.remove', { id: ro.id });
    } finally {
      await reg.stop();
    }
  }, 60_000);
});
