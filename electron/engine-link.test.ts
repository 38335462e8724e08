import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/api/errors';
import { startEngineHost } from '../engine/host';
import { quietLogger, repoRoot, tempRoot } from '../engine/testing/engine';
import { connectUnix } from '../engine/transport/unix';
import { isNativeLoadError, openEngineLink } from './engine-link';

const roots: string[] = [];
const newRoot = () => {
  const r = tempRoot('fd-link-');
  roots.push(r);
  return r;
};
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('engine link', () => {
  it('hosts the engine when the root is free, serving the CLI socket too', async () => {
    const root = newRoot();
    const link = await openEngineLink({ root, log: quietLogger });
    try {
      expect(link.mode).toBe('hosted');
      expect((await link.client.call('system.info', {})).root).toBe(root);
      // `fd` on the same root reaches the engine the app hosts.
      const cli = await connectUnix(`${root}/engine.sock`);
      expect(await cli.call('system.ping', {})).toBe('ok');
      cli.close();
      // Main's own client goes through the dispatcher: bad input is refused like on any transport.
      await expect(link.client.call('events.list', { limit: -1 })).rejects.toMatchObject({ code: 'invalid' });
    } finally {
      await link.close();
    }
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
  });

  it('becomes a client when an engine already runs on the root, and notices when it goes away', async () => {
    const root = newRoot();
    const first = await startEngineHost({ root, log: quietLogger });
    const link = await openEngineLink({ root, log: quietLogger });
    let firstClosed = false;
    try {
      expect(link.mode).toBe('client');
      expect(quietLogger.lines.some((l) => l.includes('engine already running') && l.includes('connecting to it as a client'))).toBe(true);
      expect((await link.client.call('system.info', {})).root).toBe(root);

      // The bridged api: calls forward; a cancelled stream ends promptly instead of waiting for an item.
      const abort = new AbortController();
      expect(await link.api['system.ping']({}, { signal: abort.signal })).toBe('ok');
      const live = link.api['events.subscribe']({ since: 0, filters: { type: ['engine'] } }, { signal: abort.signal });
      const it = live[Symbol.asyncIterator]();
      expect((await it.next()).value).toMatchObject({ type: 'engine', action: 'start' });
      const pending = it.next();
      abort.abort();
      expect((await pending).done).toBe(true);

      await first.close();
      firstClosed = true;
      const reason = await link.lost;
      expect(reason).toBeInstanceOf(EngineError);
      expect((reason as EngineError).code).toBe('unavailable');
      // With the first engine gone the root is free again: a new link hosts it.
      const next = await openEngineLink({ root, log: quietLogger });
      expect(next.mode).toBe('hosted');
      await next.close();
    } finally {
      await link.close();
      if (!firstClosed) await first.close();
    }
  });
});

describe('engine link when the host cannot load here (Electron without a rebuilt SQLite addon)', () => {
  it('runs `fd engine` as a child under Node, is its client, and stops it on close', async () => {
    const root = newRoot();
    const dlopenError = Object.assign(new Error('The module better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115.'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    const link = await openEngineLink({
      root,
      log: quietLogger,
      loadHost: async () => {
        throw dlopenError;
      },
      childEngine: { command: process.execPath, args: [path.join(repoRoot, 'dist', 'cli.js')] },
    });
    try {
      expect(link.mode).toBe('child');
      const info = await link.client.call('system.info', {});
      expect(info.root).toBe(root);
      expect(info.pid).not.toBe(process.pid);
      expect(quietLogger.lines.some((l) => l.includes('running it as `fd engine` instead'))).toBe(true);
    } finally {
      await link.close();
    }
    // The child engine is gone: its socket and pid file with it.
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
    expect(fs.existsSync(`${root}/engine.pid`)).toBe(false);
  });

  it('other host failures are reported as they are, not papered over', async () => {
    const root = newRoot();
    await expect(
      openEngineLink({
        root,
        log: quietLogger,
        loadHost: async () => {
          throw new Error('EACCES: permission denied, mkdir');
        },
        childEngine: { command: process.execPath, args: [path.join(repoRoot, 'dist', 'cli.js')] },
      }),
    ).rejects.toThrow(/permission denied/);
    expect(isNativeLoadError(new Error('EACCES'))).toBe(false);
    expect(isNativeLoadError(Object.assign(new Error('x'), { code: 'ERR_DLOPEN_FAILED' }))).toBe(true);
  });
});
