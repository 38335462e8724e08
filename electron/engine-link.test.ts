// The app's link to its engine, with the real engine: started as a child process when none answers on the
// root, or an engine already there used as it is.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/api/errors';
import { quietLogger, spawnEngine, tempRoot } from '../engine/testing/engine';
import { connectUnix } from '../engine/transport/unix';
import { forkLauncher, openEngineLink, utilityLauncher, type EngineLauncher, type UtilityProcessLike } from './engine-link';
import { alive, cliBundle, forkCli } from './testing/engine-launch';

const roots: string[] = [];
const newRoot = () => {
  const r = tempRoot('fd-link-');
  roots.push(r);
  return r;
};
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const neverLaunch: EngineLauncher = () => {
  throw new Error('started an engine although one was running');
};

describe('engine link', () => {
  it('starts the engine as a child process when none answers, is its client, and stops it on close', async () => {
    const root = newRoot();
    const link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
    let pid: number | undefined;
    try {
      expect(link.mode).toBe('child');
      const info = await link.client.call('system.info', {});
      expect(info.root).toBe(root);
      // The engine's work happens in another process, not on the app's main thread.
      pid = info.pid;
      expect(pid).not.toBe(process.pid);
      expect(alive(pid!)).toBe(true);
      // `fd` on the same root reaches the same engine.
      const cli = await connectUnix(`${root}/engine.sock`);
      expect((await cli.call('system.info', {})).pid).toBe(pid);
      cli.close();
      // Main's bridged api goes to the engine, which validates like on any transport.
      await expect(link.api['events.list']({ limit: -1 } as never, { signal: new AbortController().signal })).rejects.toMatchObject({ code: 'invalid' });
    } finally {
      await link.close();
    }
    expect(alive(pid!)).toBe(false);
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
    expect(fs.existsSync(`${root}/engine.pid`)).toBe(false);
  });

  it('connects to an engine already running on the root instead of starting one, and notices when it goes away', async () => {
    const root = newRoot();
    const other = await spawnEngine(root);
    const link = await openEngineLink({ root, log: quietLogger, launch: neverLaunch });
    try {
      expect(link.mode).toBe('client');
      expect((await link.client.call('system.info', {})).pid).toBe(other.child.pid);

      // A cancelled stream ends promptly instead of waiting for an item.
      const abort = new AbortController();
      const live = link.api['events.subscribe']({ since: 0, filters: { type: ['engine'] } }, { signal: abort.signal });
      const it = live[Symbol.asyncIterator]();
      expect((await it.next()).value).toMatchObject({ type: 'engine', action: 'start' });
      const pending = it.next();
      abort.abort();
      expect((await pending).done).toBe(true);

      other.child.kill('SIGTERM');
      await other.exited;
      const reason = await link.lost;
      expect(reason).toBeInstanceOf(EngineError);
      expect((reason as EngineError).code).toBe('unavailable');
    } finally {
      await link.close();
      other.child.kill('SIGKILL');
    }
  });

  it('a socket left by a killed engine does not fool it: it starts a fresh engine', async () => {
    const root = newRoot();
    const killed = await spawnEngine(root);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(true);
    const link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
    try {
      expect(link.mode).toBe('child');
      expect(await link.client.call('system.ping', {})).toBe('ok');
    } finally {
      await link.close();
    }
  });

  it('an app that exits without closing the link (app.exit, a crash) does not leave its engine running', async () => {
    const root = newRoot();
    const link = await openEngineLink({ root, log: quietLogger, launch: forkCli() });
    const pid = (await link.client.call('system.info', {})).pid;
    link.abandon();
    await link.lost;
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    expect(fs.existsSync(`${root}/engine.sock`)).toBe(false);
    link.client.close();
  });

  it('an engine that cannot start is reported with what it printed; without a launcher it says how to start one', async () => {
    const root = newRoot();
    await expect(openEngineLink({ root, log: quietLogger, launch: forkLauncher(path.join(root, 'missing-cli.js')) })).rejects.toThrow(
      /engine exited with 1 before it was ready: .*Cannot find module/s,
    );
    await expect(openEngineLink({ root, log: quietLogger })).rejects.toThrow(`no engine answers at ${root}/engine.sock; start one with \`fd --root ${root} engine\``);
  });

  it('the utilityProcess launcher runs the same engine (utilityProcess is child_process.fork through Chromium)', async () => {
    const root = newRoot();
    // Electron's utilityProcess has the shape of a forked child with stdio 'pipe' and a SIGTERM-only kill.
    const utility: UtilityProcessLike = {
      fork(modulePath, args, options) {
        const child = fork(modulePath, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        return {
          get pid() {
            return child.pid;
          },
          stdout: child.stdout,
          stderr: child.stderr,
          kill: () => child.kill('SIGTERM'),
          once: (_event, listener) => child.once('exit', (code) => listener(code ?? 1)),
        };
      },
    };
    const link = await openEngineLink({ root, log: quietLogger, launch: utilityLauncher(utility, cliBundle) });
    const pid = (await link.client.call('system.info', {})).pid;
    expect(link.mode).toBe('child');
    await link.close();
    expect(alive(pid)).toBe(false);
  });
});
