// `fd pull / images / tag / rmi / login / logout / system df|prune` against a real engine and a real
// docker-registry on loopback: what a user types and sees.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, startTestEngine, tempRoot, type TestEngine } from '../../testing/engine';
import { startRegistry, type TestRegistry } from '../../testing/registry';
import { busyboxImage, buildImage, pushImage, type BuiltImage } from '../../testing/image-builder';
import { formatLayerLine } from './pull';
import { formatBytes } from '../format';

describe('pull progress lines', () => {
  const layer = `sha256:${'ab'.repeat(32)}`;
  it('draws a bar on a TTY and plain amounts otherwise', () => {
    expect(formatLayerLine({ type: 'layer', layer, phase: 'downloading', current: 500_000, total: 1_000_000 }, true)).toBe(
      `abababababab: Downloading [==============>               ] 500kB/1.00MB`,
    );
    expect(formatLayerLine({ type: 'layer', layer, phase: 'downloading', current: 500_000, total: 1_000_000 }, false)).toBe('abababababab: Downloading 500kB/1.00MB');
    expect(formatLayerLine({ type: 'layer', layer, phase: 'exists', current: 1, total: 1 }, true)).toBe('abababababab: Already exists');
    expect(formatBytes(999)).toBe('999B');
    expect(formatBytes(4_300_000)).toBe('4.30MB');
  });
});

describe('fd image commands', () => {
  let engine: TestEngine;
  let reg: TestRegistry;
  let priv: TestRegistry;
  let bb: BuiltImage;
  const dockerConfig = tempRoot('fd-docker-config-');
  const fd = (args: string[], input?: string) => runFd(['--root', engine.root, ...args], { ...(input !== undefined ? { input } : {}), timeoutMs: 60_000 });

  beforeAll(async () => {
    process.env.DOCKER_CONFIG = dockerConfig;
    [reg, priv] = await Promise.all([startRegistry(), startRegistry({ auth: 'token', users: { alice: 'secret' } })]);
    bb = await busyboxImage();
    await pushImage(reg, 'library/busybox', 'latest', bb);
    await pushImage(priv, 'team/bb', 'v1', bb);
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.close();
    await reg?.stop();
    await priv?.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
    fs.rmSync(dockerConfig, { recursive: true, force: true });
  });

  it('pull prints per-layer progress lines, the digest and the reference; images lists it', async () => {
    const ref = `${reg.host}/library/busybox`;
    const pulled = await fd(['pull', ref]);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    const layer = bb.layers[0]!.digest.slice(7, 19);
    expect(pulled.stdout).toContain(`${layer}: Waiting\n`);
    expect(pulled.stdout).toMatch(new RegExp(`${layer}: Downloading \\d`));
    expect(pulled.stdout).toContain(`${layer}: Pull complete\n`);
    expect(pulled.stdout).toContain(`Digest: ${bb.manifest.digest}\n`);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${ref}\n`);
    expect(pulled.stdout.endsWith(`${ref}:latest\n`)).toBe(true);
    const again = await fd(['pull', '-q', ref]);
    expect(again.stdout).toBe(`${ref}:latest\n`);

    const images = await fd(['images']);
    const lines = images.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(lines[1]).toMatch(new RegExp(`^${reg.host}/library/busybox\\s+latest\\s+${bb.config.digest.slice(7, 19)}\\s+.+ago\\s+\\d`));
    expect((await fd(['images', '-q'])).stdout).toBe(`${bb.config.digest.slice(7, 19)}\n`);
  });

  it('tag adds a name, rmi removes names then the image', async () => {
    expect(await fd(['tag', `${reg.host}/library/busybox`, 'mybox:1'])).toMatchObject({ code: 0, stderr: '' });
    expect((await fd(['images', '--format', 'json'])).stdout).toContain('"mybox:1"');
    expect(await fd(['rmi', 'mybox:1'])).toMatchObject({ code: 0, stdout: 'Untagged: mybox:1\n' });
    const missing = await fd(['rmi', 'nope:1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such image: nope:1');
    const rmi = await fd(['rmi', `${reg.host}/library/busybox`]);
    expect(rmi.stdout).toBe(`Untagged: ${reg.host}/library/busybox:latest\nUntagged: ${reg.host}/library/busybox@${bb.manifest.digest}\nDeleted: ${bb.config.digest}\n`);
    expect((await fd(['images', '-q'])).stdout).toBe('');
  });

  it('login refuses a wrong password, stores a good one, logout forgets it', async () => {
    const denied = await fd(['pull', `${priv.host}/team/bb:v1`]);
    expect(denied.code).toBe(125);
    expect(denied.stderr).toContain(`fd login ${priv.host}`);
    const wrong = await fd(['login', '-u', 'alice', '--password-stdin', priv.host], 'bad\n');
    expect(wrong.code).toBe(125);
    expect(wrong.stderr).toContain('wrong username or password');
    expect(fs.existsSync(path.join(dockerConfig, 'config.json'))).toBe(false);
    expect(await fd(['login', '-u', 'alice', '--password-stdin', priv.host], 'secret\n')).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    expect((await fd(['pull', '-q', `${priv.host}/team/bb:v1`])).stdout).toBe(`${priv.host}/team/bb:v1\n`);
    expect(await fd(['logout', priv.host])).toMatchObject({ code: 0, stdout: `Removing login credentials for ${priv.host}\n` });
    expect((await fd(['logout', priv.host])).stdout).toBe(`Not logged in to ${priv.host}\n`);
  });

  it('system df shows image use and prune -a -f removes unused images', async () => {
    const small = await buildImage({ layers: [[{ path: 'hello', content: 'world' }]] });
    await pushImage(reg, 'x/small', 'v1', small);
    await fd(['pull', '-q', `${reg.host}/x/small:v1`]);
    const df = await fd(['system', 'df']);
    expect(df.stdout).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+2\s+0\s+/);
    expect(df.stdout).toContain('Cache budget: unlimited');
    const dfv = await fd(['system', 'df', '-v']);
    expect(dfv.stdout).toContain('UNIQUE SIZE');
    const pruned = await fd(['system', 'prune', '-a', '-f']);
    expect(pruned.stdout).toContain(`deleted: ${small.config.digest}`);
    expect(pruned.stdout).toMatch(/Total reclaimed space: [\d.]+[kM]B\n$/);
    expect((await fd(['images', '-q'])).stdout).toBe('');
    const events = await fd(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=image']);
    expect(events.stdout).toMatch(/image pull .*busybox:latest/);
    expect(events.stdout).toMatch(/image tag sha256:[a-f0-9]{64} \(name=mybox:1\)/);
    expect(events.stdout).toMatch(/image delete sha256:/);
  });
});
