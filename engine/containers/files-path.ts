// Container paths resolved the way the container sees them (chroot semantics): every component is looked up
// with lstat under `root`, symlinks are expanded by hand (an absolute target starts again at the container's
// root, `..` stops at it), so no path and no link can reach the host's files. The kernel never follows a
// link for us on the way: it would resolve absolute targets against the host's root.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../api/errors';

/** Linux's own limit on links followed in one lookup. */
const MAX_LINKS = 40;

export interface Resolved {
  /** Normalised absolute container path ('/' for the root). */
  path: string;
  /** The same path on the host: root + path. */
  host: string;
  /** lstat of the final component, null when it does not exist (its parent does). */
  stat: fs.Stats | null;
}

/** `/a/b/../c/.` → ['a', 'c'] — only for splitting; `..` is handled during resolution. */
const split = (p: string) => p.split('/').filter((c) => c !== '' && c !== '.');

export const hostOf = (root: string, parts: string[]) => (parts.length ? path.join(root, ...parts) : root);

/**
 * Resolves `p` (absolute or relative to '/') inside `root`. With `followLast` a symlink as the final component
 * is expanded too. A missing final component, or a missing directory on the way, gives stat null.
 */
export function resolveInRoot(root: string, p: string, followLast: boolean, display = p): Resolved {
  const done: string[] = [];
  const todo = split(p);
  // `..` components are kept in todo; split() dropped only '' and '.'.
  let links = 0;
  let stat: fs.Stats | null = rootStat(root);
  while (todo.length) {
    const part = todo.shift()!;
    const last = todo.length === 0;
    if (part === '..') {
      done.pop();
      stat = done.length ? fs.lstatSync(hostOf(root, done)) : rootStat(root);
      continue;
    }
    done.push(part);
    const host = hostOf(root, done);
    stat = lstatOrNull(host);
    // Missing, here or on the way: the caller says what it means (not found, or a name to create).
    if (!stat) return { path: `/${[...done, ...todo].join('/')}`, host, stat: null };
    if (stat.isSymbolicLink() && (!last || followLast)) {
      if (++links > MAX_LINKS) throw new EngineError('invalid', `${display}: too many levels of symbolic links`);
      const target = fs.readlinkSync(host);
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...split(target));
      stat = done.length ? lstatOrNull(hostOf(root, done)) : rootStat(root);
      continue;
    }
    if (!last && !stat.isDirectory()) throw new EngineError('invalid', `${display}: /${done.join('/')} is not a directory`);
  }
  return { path: `/${done.join('/')}`, host: hostOf(root, done), stat };
}

/** The root itself is followed: /proc/PID/root is a link by design. */
const rootStat = (root: string) => fs.statSync(root);

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/**
 * Docker's path rule (container.ResolvePath): the parent is resolved with every link followed, the final
 * component is not — unless the path ends in '/' or '/.', which asks for the directory itself.
 */
export function resolveRequested(root: string, p: string): Resolved {
  const wantsDir = p.endsWith('/') || p.endsWith('/.') || p === '.';
  const r = resolveInRoot(root, p, wantsDir, p);
  if (wantsDir && r.stat && !r.stat.isDirectory()) throw new EngineError('invalid', `${p}: not a directory`);
  return r;
}

export type FileKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device';

export function kindOf(st: fs.Stats): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char-device';
  return 'block-device';
}
