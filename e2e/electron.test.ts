// The desktop app end to end with Playwright's Electron launcher. Runs only where an Electron binary exists
// (it cannot be downloaded on the offline machines: design §6); otherwise the reason is printed and the suite
// is skipped. Without a display a private Xvfb is started (ensureDisplay). The same UI is covered in Chromium
// against the web host.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { ensureDisplay, type Display } from '../electron/testing/display';

const top = path.resolve(import.meta.dirname, '..');
const binary = findElectronBinary(top);
const mainBundle = path.join(top, 'dist/electron/main.cjs');
const skipReason = !binary ? 'no Electron binary in node_modules/electron/dist (its download needs a network)' : null;
if (skipReason) console.warn(`[e2e/electron] skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let page: Page;
  let root: string;
  let userData: string;
  let display: Display | null = null;

  beforeAll(async () => {
    if (!fs.existsSync(mainBundle)) throw new Error('dist/electron/main.cjs is not built (run npm run build)');
    display = process.platform === 'darwin' ? null : await ensureDisplay();
    if (!display && process.platform !== 'darwin') throw new Error('no display and no Xvfb to start one (scripts/ensure.mjs installs xvfb)');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-e2e-electron-'));
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-e2e-userdata-'));
    app = await _electron.launch({
      executablePath: binary!,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainBundle, '--root', root, `--user-data-dir=${userData}`],
      env: { ...process.env, FD_ROOT: root, ...(display ? { DISPLAY: display.display } : {}) },
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.evaluate(({ app: a }) => a.exit(0)).catch(() => undefined);
    await app?.close().catch(() => undefined);
    await display?.stop();
    for (const d of [root, userData]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('loads the renderer from app:// into an isolated, sandboxed page with exactly window.fd exposed', async () => {
    expect(page.url()).toBe('app://fd/index.html');
    const globals = await page.evaluate(() => ({
      fd: Object.keys((window as unknown as { fd: object }).fd).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ fd: ['engine', 'platform', 'shell'], require: 'undefined', process: 'undefined' });
    // Sandboxed and isolated: the preload's world is not the page's, and Node is nowhere in the page.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { Buffer?: unknown }).Buffer)).toBe('undefined');
  });

  it('the CSP forbids eval and inline script in the page', async () => {
    const evalBlocked = await page.evaluate(() => {
      try {
        return (0, eval)('1') !== 1;
      } catch {
        return true;
      }
    });
    expect(evalBlocked).toBe(true);
  });

  it('the page reaches the engine through the IPC port: a call round-trips, a bad message is refused', async () => {
    const replies = await page.evaluate(
      () =>
        new Promise<unknown[]>((resolve) => {
          const fd = (window as unknown as { fd: import('../electron/bridge').FdBridge }).fd;
          const port = fd.engine.connect();
          const got: unknown[] = [];
          port.onMessage((m) => {
            got.push(m);
            if (got.length === 2) resolve(got);
          });
          port.send({ t: 'call', id: 1, method: 'system.ping', input: {} });
          port.send({ t: 'call', id: 2, method: 'system.info', input: { bogus: 1 } } as never);
        }),
    );
    expect(replies).toContainEqual({ t: 'result', id: 1, output: 'ok' });
    expect(replies).toContainEqual(expect.objectContaining({ t: 'error', id: 2, error: expect.objectContaining({ code: 'invalid' }) }));
  });

  it('refuses navigation away from the app and new windows', async () => {
    await page.evaluate(() => {
      window.open('https://example.com/');
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe('app://fd/index.html');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('closing the window keeps the app (and its engine) running in the tray', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    await page.waitForTimeout(300);
    const state = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()));
    expect(state).toEqual([false]);
    expect(fs.existsSync(path.join(root, 'engine.sock'))).toBe(true);
  });
});
