// `fd rename` against a real engine (bin/fd, built).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, startTestEngine, tempRoot, type TestEngine } from '../../testing/engine';
import { buildBusyboxRootfs } from '../../testing/rootfs';

describe('fd rename', () => {
  let engine: TestEngine;
  let rootfs: string;
  const fd = (...args: string[]) => runFd(['--root', engine.root, ...args]);

  beforeAll(async () => {
    engine = await startTestEngine();
    rootfs = buildBusyboxRootfs(path.join(tempRoot('fd-rename-rootfs-'), 'rootfs'));
  });
  afterAll(async () => {
    for (const c of await engine.client.call('containers.list', { all: true }).catch(() => [])) {
      await engine.client.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
    }
    await engine.close();
    fs.rmSync(engine.root, { recursive: true, force: true });
    fs.rmSync(path.dirname(rootfs), { recursive: true, force: true });
  });

  it('renames a container; a taken name, an unknown container and a bad name fail with the reason', async () => {
    const { id } = await engine.client.call('containers.create', { name: 'old', rootfs, cmd: ['true'] });
    await engine.client.call('containers.create', { name: 'taken', rootfs, cmd: ['true'] });
    expect(await fd('rename', 'old', 'new')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await engine.client.call('containers.inspect', { id })).name).toBe('new');
    const clash = await fd('rename', 'new', 'taken');
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('The container name "/taken" is already in use');
    expect((await fd('rename', 'nosuch', 'x1')).stderr).toContain('No such container: nosuch');
    expect((await fd('rename', 'new', 'bad/name')).stderr).toContain('Invalid container name (bad/name)');
    expect((await fd('rename', 'new')).code).toBe(125);
  });
});
