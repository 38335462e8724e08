import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, startTestEngine, tempRoot, type TestEngine } from '../testing/engine';
import { parseListenAddress, startWebUi, type WebUiServer } from './server';
import { readWebUiState, webUiStateFile } from './token';

let engine: TestEngine;
let web: WebUiServer;
let staticDir: string;

/** A GET with full control over the headers (fetch would forbid Host). */
function get(port: number, pathAndQuery: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  engine = await startTestEngine();
  staticDir = tempRoot('fd-static-');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>fd</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(engine.root, 'secret.txt'), 'not for the browser');
  web = await startWebUi({ root: engine.root, api: engine.host.engine.api, log: quietLogger, host: '127.0.0.1', port: 0, staticDir });
});
afterAll(async () => {
  await web.close();
  await engine.close();
  fs.rmSync(engine.root, { recursive: true, force: true });
  fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('web host', () => {
  it('keeps the token in ROOT/webui.json, readable by the owner only', () => {
    const file = webUiStateFile(engine.root);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readWebUiState(engine.root)).toEqual({ token: web.token, url: web.url });
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${web.token}`);
    expect(web.token.length).toBeGreaterThanOrEqual(43);
  });

  it('refuses every request without a valid token with 401', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', `/?token=${'a'.repeat(web.token.length)}`, '/?token=']) {
      const res = await get(web.port, p);
      expect(res.status, p).toBe(401);
      expect(res.body).toMatch(/needs its token/);
    }
  });

  it('serves the page with the token and a strict CSP, then its assets by cookie', async () => {
    const page = await get(web.port, `/?token=${web.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>fd</title>');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = (page.headers['set-cookie'] as string[])[0]!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await get(web.port, '/assets/app.js', { Cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('serves nothing outside the built renderer', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/assets']) {
      const res = await get(web.port, `${p}${p.includes('?') ? '&' : '?'}token=${web.token}`);
      expect(res.status, p).toBe(404);
    }
  });

  it('answers only to its own address (no DNS rebinding)', async () => {
    const res = await get(web.port, `/?token=${web.token}`, { Host: `evil.example:${web.port}` });
    expect(res.status).toBe(421);
  });

  it('refuses a non-loopback address unless explicitly allowed', async () => {
    const err = await startWebUi({ root: engine.root, api: engine.host.engine.api, log: quietLogger, host: '0.0.0.0', port: 0, staticDir }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^refusing to serve the web UI on 0\.0\.0\.0/) });
  });

  it('parses [HOST:]PORT', () => {
    expect(parseListenAddress('7780')).toEqual({ host: '127.0.0.1', port: 7780 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListenAddress('localhost:99999')).toThrow(/invalid web UI address/);
    expect(() => parseListenAddress('x')).toThrow(/expected \[HOST:\]PORT/);
  });
});
