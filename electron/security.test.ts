import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, hardenWebContents, resolveAppAsset, windowOptions } from './security';

describe('desktop shell security', () => {
  it('the BrowserWindow runs the renderer isolated, sandboxed, without Node and with web security on', () => {
    const options = windowOptions({ preload: '/app/dist/electron/preload.cjs', bounds: { x: 0, y: 0, width: 800, height: 600 }, dark: true });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.show).toBe(false);
  });

  it('the CSP allows scripts only from the app: no inline, no eval, no remote', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('app:// serves files under the renderer root only', () => {
    const root = '/opt/fd/dist/renderer';
    expect(resolveAppAsset(root, 'app://fd/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://fd/assets/main-abc.js')).toBe(path.join(root, 'assets/main-abc.js'));
    expect(resolveAppAsset(root, 'app://fd/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://fd/containers/abc')).toBe(path.join(root, 'index.html'));
    for (const evil of ['app://fd/../../../etc/passwd', 'app://fd/%2e%2e/%2e%2e/etc/passwd.txt', 'app://fd/a%00.js', 'app://other/index.html', 'file:///etc/passwd', 'app://fd/%E0%A4%A.js']) {
      const r = resolveAppAsset(root, evil);
      expect(r === null || r.startsWith(root + path.sep), evil).toBe(true);
    }
    // The URL parser folds dot segments at the root: the escape attempt stays inside it.
    expect(resolveAppAsset(root, 'app://fd/%2e%2e/%2e%2e/etc/passwd.txt')).toBe(path.join(root, 'etc/passwd.txt'));
    expect(resolveAppAsset(root, 'app://fd/a%00.js')).toBeNull();
    expect(resolveAppAsset(root, 'app://other/index.html')).toBeNull();
  });

  it('denies new windows (http links go to the browser instead) and navigation away from the app', () => {
    const contents = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => { action: string } };
    (contents as unknown as { setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => void }).setWindowOpenHandler = (h) => {
      contents.openHandler = h;
    };
    const opened: string[] = [];
    const warnings: string[] = [];
    hardenWebContents(contents as unknown as WebContents, (url) => opened.push(url), { warn: (m) => warnings.push(m) });
    expect(contents.openHandler!({ url: 'http://127.0.0.1:8080/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['http://127.0.0.1:8080/']);

    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://example.com/')).toBe(true);
    expect(navigate('file:///home/me/compose.yml')).toBe(true);
    expect(navigate('app://fd/index.html')).toBe(false);
    expect(warnings.filter((w) => w.startsWith('refused navigation'))).toHaveLength(2);
  });
});
