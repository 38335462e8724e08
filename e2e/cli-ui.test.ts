// `fd engine --ui [HOST:]PORT`: prints the page URL with its token, serves it, keeps the token owner-only.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, spawnEngine, tempRoot } from '../engine/testing/engine';
import { ensureBuilt } from './support/webhost';

const roots: string[] = [];
beforeAll(() => ensureBuilt());
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('fd engine --ui', () => {
  it('prints the URL with its token; the page loads with it and is refused without it', async () => {
    const root = tempRoot('fd-cli-ui-');
    roots.push(root);
    const engine = await spawnEngine(root, ['--ui', '127.0.0.1:0']);
    try {
      const url = /^web UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)$/m.exec(engine.output())?.[1];
      expect(url, engine.output()).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await fetch(url!.replace(/\?token=.*/, ''))).status).toBe(401);
      const state = JSON.parse(fs.readFileSync(path.join(root, 'webui.json'), 'utf8')) as { url: string };
      expect(state.url).toBe(url);
      expect(fs.statSync(path.join(root, 'webui.json')).mode & 0o777).toBe(0o600);
      // The page also nonces its styles (xterm's <style> rules) afresh on every load.
      const nonces = await Promise.all([1, 2].map(async () => /'nonce-([^']+)'/.exec((await fetch(url!)).headers.get('content-security-policy') ?? '')?.[1]));
      expect(nonces[0]).toBeDefined();
      expect(nonces[1]).not.toBe(nonces[0]);
      // fd info names the URL while the web host runs.
      const info = await runFd(['--root', root, 'info']);
      expect(info.stdout).toContain(`Web UI:           ${url}`);
    } finally {
      engine.child.kill('SIGTERM');
      await engine.exited;
    }
    expect(JSON.parse(fs.readFileSync(path.join(root, 'webui.json'), 'utf8'))).toMatchObject({ url: null });
  });

  it('refuses a non-loopback address with a clear error', async () => {
    const root = tempRoot('fd-cli-ui-');
    roots.push(root);
    const r = await runFd(['--root', root, 'engine', '--ui', '0.0.0.0:0']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/refusing to serve the web UI on 0\.0\.0\.0: it is not a loopback address/);
  });
});
