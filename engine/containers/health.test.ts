// Health checks through the real contract path: an in-process engine, runc + conmon, a busybox rootfs.
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { runCli } from '../cli/main';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, type BusyboxRootfs } from '../testing/fixtures';
import { healthFromFlags, parseGoDuration } from './health-flags';

let engine: TestEngine;
let rootfs: string;
let box: BusyboxRootfs;

beforeAll(async () => {
  box = busyboxRootfs('fd-health-fixture-');
  rootfs = box.rootfs;
  engine = await startTestEngine();
});

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

async function until(check: () => Promise<boolean>, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const healthEvents = (id: string) =>
  engine.host.engine.ctx.events
    .list({ limit: 1000 })
    .filter((e) => e.actor.id === id && e.action.startsWith('health_status'))
    .reverse()
    .map((e) => e.action);

describe('container health checks', () => {
  it('a passing check turns starting → healthy, shows in ps, and stops with the container', async () => {
    const client = engine.client;
    const { id } = await client.call('containers.create', {
      name: 'good',
      rootfs,
      cmd: ['sh', '-c', 'sleep 60'],
      stopTimeout: 1,
      healthcheck: { test: ['CMD-SHELL', 'echo alive; exit 0'], intervalMs: 200, timeoutMs: 5000, retries: 2 },
    });
    await client.call('containers.start', { id });
    expect((await client.call('containers.inspect', { id })).state.health?.status).toBe('starting');
    await until(async () => (await client.call('containers.inspect', { id })).state.health?.status === 'healthy', 'healthy');
    const health = (await client.call('containers.inspect', { id })).state.health!;
    expect(health.failingStreak).toBe(0);
    expect(health.log.at(-1)).toMatchObject({ exitCode: 0, output: 'alive\n' });
    expect((await client.call('containers.list', {})).find((c) => c.id === id)!.status).toMatch(/^Up .* \(healthy\)$/);
    expect(healthEvents(id)).toEqual(['health_status: healthy']);

    await client.call('containers.stop', { id });
    const probes = (await client.call('containers.inspect', { id })).state.health!.log.length;
    await new Promise((r) => setTimeout(r, 600));
    // No probe runs on a stopped container; the last health stays readable.
    expect((await client.call('containers.inspect', { id })).state.health!.log.length).toBe(probes);
    await client.call('containers.remove', { id });
  });

  it('failing checks turn unhealthy after the retries, with an event and the probe output; a hung probe is killed at the timeout', async () => {
    const client = engine.client;
    const { id } = await client.call('containers.create', {
      name: 'bad',
      rootfs,
      cmd: ['sh', '-c', 'sleep 60'],
      healthcheck: { test: ['CMD-SHELL', 'echo "db not ready" >&2; exit 1'], intervalMs: 200, timeoutMs: 5000, retries: 3 },
    });
    const hung = await client.call('containers.create', {
      name: 'hung',
      rootfs,
      cmd: ['sh', '-c', 'sleep 60'],
      healthcheck: { test: ['CMD', 'sleep', '31.5'], intervalMs: 200, timeoutMs: 300, retries: 1 },
    });
    await client.call('containers.start', { id });
    await client.call('containers.start', { id: hung.id });
    await until(async () => (await client.call('containers.inspect', { id })).state.health?.status === 'unhealthy', 'unhealthy');
    const health = (await client.call('containers.inspect', { id })).state.health!;
    expect(health.failingStreak).toBeGreaterThanOrEqual(3);
    expect(health.log.at(-1)).toMatchObject({ exitCode: 1, output: 'db not ready\n' });
    expect(healthEvents(id)).toEqual(['health_status: unhealthy']);
    expect((await client.call('containers.list', {})).find((c) => c.id === id)!.status).toMatch(/\(unhealthy\)$/);

    await until(async () => (await client.call('containers.inspect', { id: hung.id })).state.health?.status === 'unhealthy', 'timeout → unhealthy');
    const last = (await client.call('containers.inspect', { id: hung.id })).state.health!.log.at(-1)!;
    expect(last).toMatchObject({ exitCode: -1, output: 'Health check exceeded timeout (0.3s)' });
    // Timed-out probes are killed, not left behind: after several more rounds at most the current one runs.
    await new Promise((r) => setTimeout(r, 3000));
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() === 'sleep 31.5').length).toBeLessThanOrEqual(1);

    // A restart starts over in `starting`.
    await client.call('containers.kill', { id });
    await client.call('containers.wait', { id });
    await client.call('containers.start', { id });
    expect((await client.call('containers.inspect', { id })).state.health).toMatchObject({ status: 'starting', failingStreak: 0, log: [] });
  });
});

describe('health across an engine restart', () => {
  it('a running container keeps its health and its probes resume under the next engine', async () => {
    const { id } = await engine.client.call('containers.create', {
      name: 'survivor',
      rootfs,
      cmd: ['sh', '-c', 'sleep 60'],
      healthcheck: { test: ['CMD-SHELL', 'echo ok'], intervalMs: 200, timeoutMs: 5000, retries: 1 },
    });
    await engine.client.call('containers.start', { id });
    await until(async () => (await engine.client.call('containers.inspect', { id })).state.health?.status === 'healthy', 'healthy');
    const root = engine.root;
    await engine.close();
    engine = await startTestEngine({ root });
    const before = (await engine.client.call('containers.inspect', { id })).state.health!;
    expect(before.status).toBe('healthy');
    const lastEnd = before.log.at(-1)!.end;
    await until(async () => (await engine.client.call('containers.inspect', { id })).state.health!.log.at(-1)!.end > lastEnd, 'a probe by the new engine');
    await engine.client.call('containers.remove', { id, force: true });
  });
});

describe('health flags', () => {
  it('fd create --health-* stores the check; bad values are usage errors', async () => {
    const run = async (...args: string[]) => {
      const out = new PassThrough();
      const err = new PassThrough();
      let text = '';
      err.on('data', (d: Buffer) => (text += d.toString()));
      const code = await runCli(['--root', engine.root, 'create', ...args], { stdout: out, stderr: err, stdin: new PassThrough(), env: {} });
      return { code, err: text };
    };
    const ok = await run('--name', 'flagged', '--health-cmd', 'test -f /ready', '--health-interval', '1m30s', '--health-retries', '5', '--rootfs', rootfs, 'true');
    expect(ok.code).toBe(0);
    expect((await engine.client.call('containers.inspect', { id: 'flagged' })).config.healthcheck).toEqual({
      test: ['CMD-SHELL', 'test -f /ready'],
      intervalMs: 90_000,
      timeoutMs: 30_000,
      startPeriodMs: 0,
      retries: 5,
    });
    const bad = await run('--health-interval', 'soon', '--health-cmd', 'true', '--rootfs', rootfs, 'true');
    expect(bad.code).toBe(125);
    expect(bad.err).toContain('invalid duration "soon" for --health-interval');
    await engine.client.call('containers.remove', { id: 'flagged' });
  });

  it('maps docker run flags and refuses tuning without a command', () => {
    expect(parseGoDuration('1m30s', 'x')).toBe(90_000);
    expect(parseGoDuration('500ms', 'x')).toBe(500);
    expect(() => parseGoDuration('10', 'health-interval')).toThrow(/--health-interval/);
    expect(healthFromFlags({ cmd: 'curl -f localhost', interval: '5s', retries: '2' })).toEqual({ test: ['CMD-SHELL', 'curl -f localhost'], intervalMs: 5000, retries: 2 });
    expect(healthFromFlags({ none: true })).toEqual({ test: ['NONE'] });
    expect(healthFromFlags({})).toBeUndefined();
    expect(() => healthFromFlags({ interval: '5s' })).toThrow(/need --health-cmd/);
  });
});
