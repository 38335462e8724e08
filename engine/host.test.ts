import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runFd, spawnEngine, tempRoot } from './testing/engine';
import { connectUnix } from './transport/unix';
import { rootPaths } from './paths';

const roots: string[] = [];
const newRoot = () => {
  const r = tempRoot('fd-host-');
  roots.push(r);
  return r;
};
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('fd engine host', () => {
  it('refuses a second engine on the same root with exit 125 and the pid of the first', async () => {
    const root = newRoot();
    const first = await spawnEngine(root);
    try {
      const second = await runFd(['--root', root, 'engine']);
      expect(second.code).toBe(125);
      expect(second.stderr).toContain(`engine already running (pid ${first.child.pid})`);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
  });

  it('stops cleanly on SIGTERM and SIGINT, leaving no socket behind to confuse clients', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const root = newRoot();
      const engine = await spawnEngine(root);
      engine.child.kill(signal);
      expect(await engine.exited).toBe(0);
      expect(engine.output()).toContain('stopping the engine');
      expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
      expect(fs.existsSync(`${root}/engine.pid`)).toBe(false);
      const client = await runFd(['--root', root, 'info']);
      expect(client.code).toBe(125);
      expect(client.stderr).toContain(`cannot reach the engine at ${root}/engine.sock: is \`fd engine\` or the app running?`);
    }
  });

  it('restarts after SIGKILL on the same root with its events intact', async () => {
    const root = newRoot();
    const first = await spawnEngine(root);
    const client = await connectUnix(rootPaths(root).engineSocket);
    const before = await client.call('events.list', {});
    client.close();
    expect(before.map((e) => e.action)).toEqual(['start']);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawnEngine(root);
    try {
      const again = await connectUnix(rootPaths(root).engineSocket);
      const after = await again.call('events.list', { filters: { type: ['engine'] } });
      again.close();
      // Newest first: the second start, then the first start persisted before the kill.
      expect(after.map((e) => [e.action, e.actor.attributes.pid])).toEqual([
        ['start', String(second.child.pid)],
        ['start', String(first.child.pid)],
      ]);
      expect(after[1]).toEqual(before[0]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('client commands without an engine exit 125 naming the socket', async () => {
    const root = newRoot();
    for (const cmd of [['info'], ['events'], ['version']]) {
      const r = await runFd(['--root', root, ...cmd]);
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(`cannot reach the engine at ${root}/engine.sock`);
    }
  });

  it('FD_ROOT selects the root like --root', async () => {
    const root = newRoot();
    const engine = await spawnEngine(root);
    try {
      const r = await runFd(['info', '--format', 'json'], { env: { FD_ROOT: root } });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ root, engineSocket: `${root}/engine.sock`, pid: engine.child.pid });
    } finally {
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  });

  it('fd events replays history with --since/--until and filters', async () => {
    const root = newRoot();
    const engine = await spawnEngine(root);
    try {
      const all = await runFd(['--root', root, 'events', '--since', '1h', '--until', '0s']);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z engine start engine \(pid=\d+\)\n$/);
      const json = await runFd(['--root', root, 'events', '--since', '1h', '--until', '0s', '--format', 'json', '--filter', 'type=engine']);
      expect(JSON.parse(json.stdout.trim())).toMatchObject({ type: 'engine', action: 'start', seq: 1 });
      const none = await runFd(['--root', root, 'events', '--since', '1h', '--until', '0s', '--filter', 'type=image']);
      expect(none.stdout).toBe('');
      const bad = await runFd(['--root', root, 'events', '--filter', 'colour=red']);
      expect(bad.code).toBe(125);
      expect(bad.stderr).toContain('bad filter key "colour"');
    } finally {
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
  });
});
