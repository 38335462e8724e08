import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngineHost } from '../engine/host';
import { quietLogger, tempRoot } from '../engine/testing/engine';
import type { EngineLink } from './engine-link';
import { EngineSupervisor } from './engine-supervisor';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function recorder() {
  const log: string[] = [];
  let notify: (() => void) | null = null;
  const next = () => new Promise<void>((resolve) => (notify = resolve));
  return {
    log,
    next,
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

describe('engine supervisor (the engine restarting under the UI)', () => {
  it('follows an engine that stops: reconnecting, then hosts the freed root itself', async () => {
    const root = tempRoot('fd-sup-');
    roots.push(root);
    const other = await startEngineHost({ root, log: quietLogger });
    const rec = recorder();
    const sup = new EngineSupervisor({ root, log: quietLogger, retryDelayMs: 20 }, rec.listener);
    try {
      let step = rec.next();
      sup.start();
      await step;
      expect(rec.log).toEqual(['linked:client']);
      expect(await sup.link!.client.call('system.ping', {})).toBe('ok');

      step = rec.next();
      await other.close();
      await step;
      expect(rec.log[1]).toBe('unlinked:reconnecting');
      while (rec.log.length < 3) await rec.next();
      expect(rec.log[2]).toBe('linked:hosted');
      expect((await sup.link!.client.call('system.info', {})).pid).toBe(process.pid);
    } finally {
      await sup.stop();
    }
    expect(sup.link).toBeNull();
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
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
