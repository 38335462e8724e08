// The one Content-Security-Policy of the UI, for both hosts (the web host here and Electron's app://):
// scripts only from the app, no eval, nothing remote. Styles come from the app's stylesheet, plus <style>
// elements that carry the page's nonce: xterm's DOM renderer writes its per-terminal rules (cell size,
// colours) into <style> elements, and a nonce lets exactly those through without 'unsafe-inline'.
// Style *attributes* stay blocked; React and xterm set element styles through CSSOM, which CSP allows.
import crypto from 'node:crypto';

export interface CspOptions {
  /** The nonce of this one page load; omitted for responses that are not the page. */
  nonce?: string;
  /** Extra connect-src sources (the web host's ws://HOST:PORT). */
  connectSrc?: string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${options.nonce ? ` 'nonce-${options.nonce}'` : ''}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    ['connect-src', "'self'", ...(options.connectSrc ?? [])].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** A fresh nonce per page load (128 random bits). */
export function newCspNonce(): string {
  return crypto.randomBytes(16).toString('base64');
}

/** The meta tag the renderer reads the nonce from (renderer/terminal/styleNonce.ts). */
export const STYLE_NONCE_META = 'fd-style-nonce';

/** The page with its nonce where the renderer can find it: a meta tag right after <head>. */
export function withStyleNonce(html: string, nonce: string): string {
  const tag = `<meta name="${STYLE_NONCE_META}" content="${nonce}" />`;
  // After <head>, or after the doctype (a tag before it would put the page in quirks mode).
  const at = /<head[^>]*>/i.exec(html) ?? /^\s*<!doctype[^>]*>/i.exec(html);
  return at ? `${html.slice(0, at.index + at[0].length)}${tag}${html.slice(at.index + at[0].length)}` : `${tag}${html}`;
}

/** True for the one response that is the page (index.html), which gets a nonce. */
export const isPage = (file: string) => /(^|[/\\])index\.html$/.test(file);
