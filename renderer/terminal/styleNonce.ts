// xterm's DOM renderer writes its per-terminal rules (cell size, colours, cursor) into <style> elements it
// creates while opening. Our CSP has no 'unsafe-inline' for styles; instead each page load carries a nonce
// (engine/webui/csp.ts puts it in the CSP and in a meta tag). While a terminal opens, <style> elements
// created by script get that nonce, so exactly those rules apply and injected markup still cannot add styles.

export const STYLE_NONCE_META = 'fd-style-nonce';

export function pageStyleNonce(doc: Document = document): string | null {
  return doc.querySelector<HTMLMetaElement>(`meta[name="${STYLE_NONCE_META}"]`)?.content || null;
}

/** Runs `fn` (xterm's open) with <style> elements created meanwhile carrying the page's nonce. */
export function withStyleNonce<T>(fn: () => T, doc: Document = document): T {
  const nonce = pageStyleNonce(doc);
  if (!nonce) return fn();
  const original = Document.prototype.createElement as (this: Document, tag: string, options?: ElementCreationOptions) => HTMLElement;
  const stamped = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const element = original.call(this, tag, options);
    if (element instanceof HTMLStyleElement) element.nonce = nonce;
    return element;
  };
  Object.defineProperty(doc, 'createElement', { value: stamped, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    delete (doc as { createElement?: unknown }).createElement;
  }
}
