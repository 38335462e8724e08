// Serves the built renderer (dist/renderer) read-only: GET/HEAD of files inside that directory, nothing else.
import fs from 'node:fs';
import path from 'node:path';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Finds dist/renderer from the bundle (dist/cli.js, dist/electron/main.cjs) or from source (engine/webui). */
export function defaultStaticDir(): string | null {
  // __dirname in the Electron (CommonJS) bundle and under vitest; import.meta.dirname in the ESM CLI bundle.
  const here = typeof __dirname === 'string' ? __dirname : import.meta.dirname;
  const candidates = [path.join(here, 'renderer'), path.join(here, '..', 'renderer'), path.join(here, '..', '..', 'dist', 'renderer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? null;
}

export interface StaticFile {
  path: string;
  type: string;
  size: number;
}

/** Maps a URL path to a file inside `dir`, or null: no traversal, no symlinks out, no directories. */
export function resolveStatic(dir: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = path.posix.normalize(decoded === '/' ? '/index.html' : decoded).replace(/^\/+/, '');
  if (relative.startsWith('..')) return null;
  const full = path.join(dir, relative);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    return null;
  }
  const realDir = fs.realpathSync(dir);
  if (real !== realDir && !real.startsWith(realDir + path.sep)) return null;
  const st = fs.statSync(real, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  return { path: real, type: mimeTypes[path.extname(real).toLowerCase()] ?? 'application/octet-stream', size: st.size };
}
