// The engine restarting under the UI, with real engines: the supervisor starts a child engine, follows it
// through a crash, hands over from an engine someone else ran, and on stop leaves containers running.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quietLogger, spawnEngine, tempRoot } from '../engine/testing/engine';
import { buildBusyboxRootfs } from '../engine/testing/rootfs';
import type { EngineLink } from './engine-link';
import { EngineSupervisor } from './engine-supervisor';
import { alive, forkCli } from './testing/engine-launch';
import { stopAllContainers } from './tray-source';

const roots: string[] = [];
const newRoot = (prefix = 'fd-sup-') => {
  const r = tempRoot(prefix);
  roots.push(r);
  return r;
};
const supervisors: EngineSupervisor[] = [];
afterAll(async () => {
  // Whatever a failed test left: its engine processes stop before their roots go.
  for (const s of supervisors) await s.stop().catch(() => undefined);
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function recorder() {
  const log: string[] = [];
  let notify: (() => void) | null = null;
  const next = () => new Promise<void>((resolve) => (notify = resolve));
  const until = async (n: number) => {
    while (log.length < n) await next();
  };
  return {
    log,
    next,
    until,
    listener: {
      linked: (link: EngineLink) => {
        log.push(`linked:${link.mode}`);
        notify?.();
      },
      unlinked: (status: string) => {
        log.push(`unlinked:${status}`);
        notify?.();
      },
    },
  };
}

function supervisor(root: string, rec: ReturnType<typeof recorder>) {
  const sup = new EngineSupervisor({ root, log: quietLogger, launch: forkCli(), retryDelayMs: 20 }, rec.listener);
  supervisors.push(sup);
  return sup;
}

describe('engine supervisor (the engine restarting under the UI)', () => {
  it('starts an engine process, starts a new one after it crashes, and stops it on stop', async () => {
    const root = newRoot();
    const rec = recorder();
    const sup = supervisor(root, rec);
    let second: number | undefined;
    try {
      sup.start();
      await rec.until(1);
      expect(rec.log).toEqual(['linked:child']);
      const first = (await sup.link!.client.call('system.info', {})).pid;
      expect(first).not.toBe(process.pid);

      process.kill(first, 'SIGKILL');
      await rec.until(3);
      expect(rec.log.slice(1)).toEqual(['unlinked:reconnecting', 'linked:child']);
      second = (await sup.link!.client.call('system.info', {})).pid;
      expect(second).not.toBe(first);
      expect(await sup.link!.client.call('system.ping', {})).toBe('ok');
    } finally {
      await sup.stop();
    }
    expect(sup.link).toBeNull();
    expect(alive(second!)).toBe(false);
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
  });

  it('uses an engine already on the root; when that one stops, runs its own', async () => {
    const root = newRoot();
    const other = await spawnEngine(root);
    const rec = recorder();
    const sup = supervisor(root, rec);
    try {
      sup.start();
      await rec.until(1);
      expect(rec.log).toEqual(['linked:client']);
      expect((await sup.link!.client.call('system.info', {})).pid).toBe(other.child.pid);

      other.child.kill('SIGTERM');
      await other.exited;
      await rec.until(3);
      expect(rec.log.slice(1)).toEqual(['unlinked:reconnecting', 'linked:child']);
      expect((await sup.link!.client.call('system.info', {})).pid).not.toBe(other.child.pid);
    } finally {
      await sup.stop();
      other.child.kill('SIGKILL');
    }
  });

  it('"Quit (leave containers running)" leaves them running; the next start finds them, "Quit and stop all" stops them', async () => {
    const root = newRoot();
    const rootfs = buildBusyboxRootfs(path.join(newRoot('fd-sup-fixture-'), 'rootfs'));
    const rec = recorder();
    let sup = supervisor(root, rec);
    sup.start();
    await rec.until(1);
    const client = () => sup.link!.client;
    await client().call('containers.create', { name: 'keeper', rootfs, cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'], networkMode: 'none', stopTimeout: 2 });
    await client().call('containers.start', { id: 'keeper' });
    const pid = (await client().call('containers.inspect', { id: 'keeper' })).state.pid;
    await sup.stop(); // Quit, leaving containers running: the engine process ends, the container does not.
    expect(alive(pid)).toBe(true);

    const again = recorder();
    sup = supervisor(root, again);
    try {
      sup.start();
      await again.until(1);
      expect((await client().call('containers.inspect', { id: 'keeper' })).state.running).toBe(true);
      expect(await stopAllContainers(client())).toEqual([]);
      expect((await client().call('containers.inspect', { id: 'keeper' })).state.running).toBe(false);
      await client().call('containers.remove', { id: 'keeper', force: true });
    } finally {
      await sup.stop();
    }
    expect(alive(pid)).toBe(false);
  });

  it('retries with a status while no engine can be linked, and stops cleanly meanwhile', async () => {
    const rec = recorder();
    let attempts = 0;
    const sup = new EngineSupervisor(
      {
        root: '/nonexistent',
        log: quietLogger,
        retryDelayMs: 5,
        open: async () => {
          attempts++;
          throw new Error('permission denied on /nonexistent');
        },
      },
      rec.listener,
    );
    sup.start();
    while (attempts < 3) await rec.next();
    expect(rec.log[0]).toBe('unlinked:unavailable (permission denied on /nonexistent); retrying');
    await sup.stop();
    const after = attempts;
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(after);
  });
});
