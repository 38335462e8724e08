// The built main process booted under plain Node against a stand-in `electron` module (no Electron binary can
// be had here): it must start the engine as a process of its own (or use one already on the root), serve the
// app with its CSP, answer the page over IPC through the dispatcher, plan a dropped compose file with the
// engine, keep running when the window closes and stop its engine on Quit. What only real Electron can show
// is in e2e/electron.test.ts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnEngine, tempRoot } from '../engine/testing/engine';
import { CONTENT_SECURITY_POLICY } from './security';

const top = path.resolve(import.meta.dirname, '..');
const work = tempRoot('fd-main-bundle-');
const root = path.join(work, 'root');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function bundleMain(): Promise<string> {
  const outdir = path.join(work, 'app', 'dist', 'electron');
  if (fs.existsSync(path.join(outdir, 'main.cjs'))) return path.join(outdir, 'main.cjs');
  await build({
    entryPoints: ['main', 'preload'].map((n) => ({ in: path.join(top, `electron/${n}.ts`), out: n })),
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', '@napi-rs/xattr', 'electron'],
    logLevel: 'error',
  });
  const renderer = path.join(work, 'app', 'dist', 'renderer');
  fs.mkdirSync(renderer, { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Flying Dutchman</title>');
  // The CLI beside it, for the child-engine fallback.
  fs.symlinkSync(path.join(top, 'dist', 'cli.js'), path.join(work, 'app', 'dist', 'cli.js'));
  return path.join(outdir, 'main.cjs');
}

async function boot(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(top, 'electron/testing/boot-main.cjs'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, `main did not report:\n${stdout}\n${stderr}`).toBeDefined();
  return { code, stderr, r: JSON.parse(line!.slice(7)) };
}

describe('main process bundle', () => {
  it('boots, starts its engine process, serves the page over IPC, plans a dropped compose file and quits cleanly', async () => {
    const main = await bundleMain();
    const compose = path.join(work, 'compose.yaml');
    fs.writeFileSync(compose, 'services:\n  web:\n    image: busybox\n');
    const launchCompose = path.join(work, 'launch-compose.yml');
    fs.writeFileSync(launchCompose, 'services: {}\n');
    const { code, stderr, r } = await boot(['--root', root, launchCompose], {
      FD_MAIN_BUNDLE: main,
      FD_DROP_FILE: compose,
      FD_EXPECT_PLAN: '1',
      FD_NODE: process.execPath,
      NODE_PATH: path.join(top, 'node_modules'),
    });

    expect(r.url).toBe('app://fd/index.html');
    expect(r.visible).toBe(true);
    expect(r.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(r.webPreferences.preload).toBe(path.join(path.dirname(main), 'preload.cjs'));
    expect(r.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(r.windowOpen).toEqual({ action: 'deny' });
    expect(r.openedExternal).toEqual(['https://example.com/']);
    // The page carries a fresh style nonce, in its CSP and in a meta tag for the renderer (xterm's <style>s).
    expect(r.index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(r.index.csp)?.[1];
    expect(nonce).toBeDefined();
    expect(r.index.csp.replace(` 'nonce-${nonce}'`, '')).toBe(CONTENT_SECURITY_POLICY);
    expect(r.index.body).toBe(`<!doctype html><meta name="fd-style-nonce" content="${nonce}" /><title>Flying Dutchman</title>`);
    expect(r.otherHost).toBe(403);

    // The page's call ran on the engine; the bad one was refused; the stranger got nothing.
    expect(r.replies).toHaveLength(2);
    expect(r.replies).toEqual(
      expect.arrayContaining([
        { s: 1, t: 'result', id: 1, root },
        { s: 1, t: 'error', id: 2, code: 'invalid' },
      ]),
    );
    expect(stderr).toMatch(/untrusted frame/);
    expect(r.openPath).toEqual({
      malformed: 'invalid request: expected a container id',
      unknown: 'No such container: nosuch',
      stranger: 'refused: not the app window',
      opened: [],
    });
    expect(stderr).toMatch(/rejected a malformed file drop/);

    expect(r.tray.tooltip).toBe('Flying Dutchman: no containers running');
    expect(r.tray.items).toEqual(expect.arrayContaining(['Open dashboard', 'Quit (leave containers running)', 'Quit and stop all']));
    expect(r.tray.hasImage).toBe(true);

    expect(r.shell).toEqual(
      expect.arrayContaining([
        { type: 'open-compose', path: launchCompose },
        { type: 'engine', mode: 'child', root },
        { type: 'open-compose', path: compose },
      ]),
    );
    // The file given on the command line waited for the engine, then was planned like the dropped one.
    const plans = r.shell.filter((e: { type: string }) => e.type === 'compose-plan');
    expect(plans.map((p: { path: string }) => p.path).sort()).toEqual([compose, launchCompose].sort());
    const dropPlan = plans.find((p: { path: string }) => p.path === compose);
    expect(dropPlan.result.ok).toBe(true);
    expect(dropPlan.result.plan.steps).toContainEqual(expect.objectContaining({ kind: 'container', action: 'create', service: 'web' }));
    // After the dismiss, the same plan can no longer be brought up, and a malformed request is refused.
    expect(stderr).toMatch(/rejected a malformed compose request/);
    expect(stderr).toMatch(/compose request for an unknown plan/);
    expect(r.shell.some((e: { type: string }) => e.type === 'compose-progress')).toBe(false);
    expect(r.afterClose).toEqual({ visible: false, destroyed: false });
    expect(r.windowState.bounds).toMatchObject({ width: 1280, height: 820 });

    expect(code).toBe(0);
    expect(fs.existsSync(path.join(root, 'engine.sock'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'engine.pid'))).toBe(false);
  });

  it('uses an engine already running on the root, and leaves it running on Quit', async () => {
    const main = await bundleMain();
    const otherRoot = path.join(work, 'other-root');
    fs.mkdirSync(otherRoot);
    const other = await spawnEngine(otherRoot);
    try {
      const { code, r } = await boot(['--root', otherRoot], {
        FD_MAIN_BUNDLE: main,
        FD_DROP_FILE: path.join(work, 'none.yml'),
        FD_NODE: '/nonexistent/node',
        NODE_PATH: path.join(top, 'node_modules'),
      });
      expect(r.shell).toContainEqual({ type: 'engine', mode: 'client', root: otherRoot });
      expect(r.replies).toContainEqual({ s: 1, t: 'result', id: 1, root: otherRoot });
      expect(code).toBe(0);
      // Not ours to stop: the engine still answers.
      expect(other.child.exitCode).toBeNull();
      expect(fs.existsSync(path.join(otherRoot, 'engine.sock'))).toBe(true);
    } finally {
      other.child.kill('SIGTERM');
      await other.exited;
    }
  });
});
