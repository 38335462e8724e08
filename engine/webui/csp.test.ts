import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isPage, newCspNonce, withStyleNonce } from './csp';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

describe('the UI content security policy', () => {
  it('allows scripts and styles only from the app, never inline or eval', () => {
    const csp = contentSecurityPolicy();
    const d = directives(csp);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
  });

  it("a page's nonce admits <style> elements carrying it, and the web host's socket is reachable", () => {
    const nonce = newCspNonce();
    const d = directives(contentSecurityPolicy({ nonce, connectSrc: ['ws://127.0.0.1:7780'] }));
    expect(d.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:7780']);
    expect(newCspNonce()).not.toBe(nonce);
    expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });

  it('puts the nonce in the page head, where the renderer reads it', () => {
    const html = '<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n  </head><body></body></html>';
    expect(withStyleNonce(html, 'abc')).toContain('<head><meta name="fd-style-nonce" content="abc" />');
    expect(withStyleNonce('<!doctype html><title>x</title>', 'abc')).toBe('<!doctype html><meta name="fd-style-nonce" content="abc" /><title>x</title>');
    expect(isPage('/opt/fd/dist/renderer/index.html')).toBe(true);
    expect(isPage('/opt/fd/dist/renderer/assets/index-abc.js')).toBe(false);
  });
});
