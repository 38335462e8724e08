// The web UI's access token. It lives in ROOT/webui.json (mode 0600, owner only) so `fd engine`, `fd info`
// and `npm start` can print the URL, and it survives an engine restart on the same root so an open page
// reconnects by itself. `rotate` makes a fresh one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface WebUiState {
  token: string;
  /** The page URL with its token while a web host serves this root; null when none does. */
  url: string | null;
}

export const webUiStateFile = (root: string) => path.join(root, 'webui.json');

export function readWebUiState(root: string): WebUiState | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(webUiStateFile(root), 'utf8')) as Partial<WebUiState>;
    if (typeof parsed.token !== 'string' || !/^[A-Za-z0-9_-]{32,}$/.test(parsed.token)) return null;
    return { token: parsed.token, url: typeof parsed.url === 'string' ? parsed.url : null };
  } catch {
    return null;
  }
}

export function writeWebUiState(root: string, state: WebUiState) {
  const file = webUiStateFile(root);
  const tmp = `${file}.${process.pid}.tmp`;
  // Created 0600 from the first byte: the token is never readable by others, not even briefly.
  fs.writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export function loadOrCreateToken(root: string, rotate = false): string {
  const existing = rotate ? null : readWebUiState(root);
  return existing?.token ?? crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
