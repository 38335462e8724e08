// Every security decision of the desktop shell in one place, as plain data and small functions the tests
// read: the BrowserWindow options, the CSP, the app:// asset resolver and the navigation/window policy.
// Only `import type` from electron: this module runs under Node tests.
import path from 'node:path';
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { contentSecurityPolicy, isPage, newCspNonce, withStyleNonce } from '../engine/webui/csp';

/** The renderer is served from app://fd/ (a privileged standard scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fd';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The UI's one CSP (engine/webui/csp.ts, shared with the web host) for responses other than the page. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Headers of one app:// response: the page (index.html) gets a fresh style nonce in its CSP and its body. */
export function appResponse(file: string, body: Buffer<ArrayBuffer>): { body: Buffer<ArrayBuffer>; csp: string } {
  if (!isPage(file)) return { body, csp: CONTENT_SECURITY_POLICY };
  const nonce = newCspNonce();
  return { body: Buffer.from(withStyleNonce(body.toString('utf8'), nonce)), csp: contentSecurityPolicy({ nonce }) };
}

export interface WindowOptionsInput {
  preload: string;
  bounds: { x: number; y: number; width: number; height: number };
  dark: boolean;
  icon?: string;
}

export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: 760,
    minHeight: 480,
    show: false,
    title: 'Flying Dutchman',
    backgroundColor: input.dark ? '#15181d' : '#f6f7f9',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export const mimeType = (file: string) => MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/**
 * Maps an app:// URL to a file under `root`, or null when it names another host or escapes the root.
 * Paths without an extension are client-side routes and get index.html.
 */
export function resolveAppAsset(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  if (rel === '/' || !path.extname(rel)) rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${path.posix.normalize(rel)}`);
  return file.startsWith(base + path.sep) ? file : null;
}

/** Only http(s) links leave the app, and only to the user's browser (a published port, a docs link). */
export function isExternalLink(url: string): boolean {
  try {
    const p = new URL(url).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}

/** No new windows, no navigation away from the app, no webviews, no permissions. */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void, log: { warn(m: string): void }): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) openExternal(url);
    else log.warn(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (url.startsWith(`${APP_ORIGIN}/`)) return;
    event.preventDefault();
    log.warn(`refused navigation to ${url}`);
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** A CSP on every response the session sees (the page's own, with its nonce, is kept), and every permission request refused. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = details.responseHeaders ?? {};
    const own = Object.keys(headers).some((k) => k.toLowerCase() === 'content-security-policy');
    callback({ responseHeaders: own ? headers : { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
