// docker cp and docker diff with the real docker CLI 28 against the engine's Docker API socket. Containers
// come from a busybox rootfs through the contract (no network: not what this tests); the rest goes through `docker`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, type BusyboxRootfs } from '../testing/fixtures';
import { request, runDocker } from './testing';
import { goFileMode } from './archive';

let engine: TestEngine;
let box: BusyboxRootfs;
let socket: string;
let work: string;
let rootfs: string;
const docker = (...args: string[]) => runDocker(socket, args);

beforeAll(async () => {
  engine = await startTestEngine();
  socket = engine.host.paths.dockerSocket;
  box = busyboxRootfs('fd-dockerapi-cp-');
  ({ work, rootfs } = box);
  fs.symlinkSync('/etc/passwd', path.join(rootfs, 'abs-passwd'));
}, 60_000);

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

describe('docker cp against the engine', () => {
  it('copies a tree into a running container and back out, keeping content, mode and mtime', async () => {
    const { id } = await engine.client.call('containers.create', { networkMode: 'none', name: 'dcp', rootfs, cmd: ['sleep', '300'] });
    await engine.client.call('containers.start', { id });
    const src = path.join(work, 'tree');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'sub', 'x.txt'), 'from the host\n');
    fs.chmodSync(path.join(src, 'sub', 'x.txt'), 0o604);
    const when = new Date('2021-05-06T07:08:09Z');
    fs.utimesSync(path.join(src, 'sub', 'x.txt'), when, when);

    const cpIn = await docker('cp', src, 'dcp:/tmp/');
    expect(cpIn.stderr).toBe('');
    expect(cpIn.code).toBe(0);
    const stat = await engine.client.call('containers.stat', { id, path: '/tmp/tree/sub/x.txt' });
    expect(stat).toMatchObject({ type: 'file', mode: 0o604, mtime: when.getTime(), uid: 0 });

    // Out to a new name: the directory takes that name (docker's rebase).
    const out = path.join(work, 'out');
    const cpOut = await docker('cp', 'dcp:/tmp/tree', out);
    expect(cpOut.code).toBe(0);
    const copied = path.join(out, 'sub', 'x.txt');
    expect(fs.readFileSync(copied, 'utf8')).toBe('from the host\n');
    expect(fs.statSync(copied).mode & 0o7777).toBe(0o604);
    expect(fs.statSync(copied).mtimeMs).toBe(when.getTime());

    // Into an existing directory, a file keeps its name; a missing source is docker's NotFound.
    const dir = path.join(work, 'dir');
    fs.mkdirSync(dir);
    expect((await docker('cp', 'dcp:/etc/passwd', dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'passwd'), 'utf8')).toBe(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8'));
    // DIR/. copies the contents; -L follows a link the container's way (its /etc/passwd, not the host's).
    const contents = path.join(work, 'contents');
    expect((await docker('cp', 'dcp:/tmp/tree/.', contents)).code).toBe(0);
    expect(fs.readdirSync(contents)).toEqual(['sub']);
    const followed = path.join(work, 'followed');
    expect((await docker('cp', '-L', 'dcp:/abs-passwd', followed)).code).toBe(0);
    expect(fs.readFileSync(followed, 'utf8')).toBe(fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8'));
    const missing = await docker('cp', 'dcp:/no/such', dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find the file /no/such in container dcp');
  });

  it('copies out of a stopped container and answers the stat header with a Go FileMode', async () => {
    const { id } = await engine.client.call('containers.create', { networkMode: 'none', name: 'dcp-stopped', rootfs, cmd: ['sh', '-c', 'mkdir /d; echo bye > /d/f'] });
    await engine.client.call('containers.start', { id });
    await engine.client.call('containers.wait', { id });
    const out = path.join(work, 'stopped-out');
    expect((await docker('cp', 'dcp-stopped:/d/f', out)).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('bye\n');

    const head = await request(socket, 'HEAD', '/v1.44/containers/dcp-stopped/archive?path=/d');
    expect(head.status).toBe(200);
    const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
    expect(stat).toMatchObject({ name: 'd', mode: 2 ** 31 + 0o755, linkTarget: '' });
    expect(goFileMode({ type: 'directory', mode: 0o1777 })).toBe(2 ** 31 + 2 ** 20 + 0o777);
    expect((await request(socket, 'HEAD', '/v1.44/containers/dcp-stopped/archive?path=/nope')).status).toBe(404);
  });

  it('docker diff answers through /changes; a --rootfs container has no image to compare with', async () => {
    const r = await docker('diff', 'dcp-stopped');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no image to compare');
  });
});
