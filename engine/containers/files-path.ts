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
  /** The same path on the host (under the root, or under the source of the mount holding it). */
  host: string;
  /** lstat of the final component, null when it does not exist (its parent does). */
  stat: fs.Stats | null;
}

/** `/a/b/../c/.` → ['a', 'c'] — only for splitting; `..` is handled during resolution. */
const split = (p: string) => p.split('/').filter((c) => c !== '' && c !== '.');

/** A mount the container has (bind or volume), for a container whose mounts are not set up (stopped). */
export interface MountView {
  /** Normalised container path. */
  target: string;
  /** Host directory. */
  source: string;
  readOnly: boolean;
}

/** What a container path maps to on the host: its root, with mounts laid over it. */
export interface RootView {
  root: string;
  mounts: MountView[];
}

export type Root = string | RootView;

export const viewOf = (root: Root): RootView => (typeof root === 'string' ? { root, mounts: [] } : root);

/** The mount holding a container path (the deepest target), or null for the root filesystem. */
export function mountOf(view: RootView, containerPath: string): MountView | null {
  let best: MountView | null = null;
  for (const m of view.mounts) {
    if ((containerPath === m.target || containerPath.startsWith(`${m.target}/`)) && (!best || m.target.length > best.target.length)) best = m;
  }
  return best;
}

/** Host path of a resolved container path; `top` when it is the root or a mount's own directory (followed). */
export const hostPathOf = (view: RootView, containerPath: string) => hostIn(view, split(containerPath));

/** Host path of resolved container path parts; `top` when it is the root or a mount's own directory. */
function hostIn(view: RootView, parts: string[]): { host: string; top: boolean } {
  const p = `/${parts.join('/')}`;
  const m = mountOf(view, p);
  if (m) return { host: path.join(m.source, p.slice(m.target.length)), top: p === m.target };
  return { host: parts.length ? path.join(view.root, ...parts) : view.root, top: parts.length === 0 };
}

/** lstat, except that the root and mount sources are followed: /proc/PID/root is a link by design. */
function statAt(view: RootView, parts: string[]): { host: string; stat: fs.Stats | null } {
  const { host, top } = hostIn(view, parts);
  if (parts.length === 0) return { host, stat: fs.statSync(host) };
  return { host, stat: top ? statOrNull(host) : lstatOrNull(host) };
}

/**
 * Resolves `p` (absolute or relative to '/') inside `root`. With `followLast` a symlink as the final component
 * is expanded too. A missing final component, or a missing directory on the way, gives stat null.
 */
export function resolveInRoot(root: Root, p: string, followLast: boolean, display = p): Resolved {
  const view = viewOf(root);
  const done: string[] = [];
  const todo = split(p);
  // `..` components are kept in todo; split() dropped only '' and '.'.
  let links = 0;
  let at = statAt(view, done);
  while (todo.length) {
    const part = todo.shift()!;
    const last = todo.length === 0;
    if (part === '..') {
      done.pop();
      at = statAt(view, done);
      continue;
    }
    done.push(part);
    at = statAt(view, done);
    // Missing, here or on the way: the caller says what it means (not found, or a name to create).
    if (!at.stat) return { path: `/${[...done, ...todo].join('/')}`, host: at.host, stat: null };
    if (at.stat.isSymbolicLink() && (!last || followLast)) {
      if (++links > MAX_LINKS) throw new EngineError('invalid', `${display}: too many levels of symbolic links`);
      const target = fs.readlinkSync(at.host);
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...split(target));
      at = statAt(view, done);
      continue;
    }
    if (!last && !at.stat.isDirectory()) throw new EngineError('invalid', `${display}: /${done.join('/')} is not a directory`);
  }
  return { path: `/${done.join('/')}`, host: at.host, stat: at.stat };
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

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
export function resolveRequested(root: Root, p: string): Resolved {
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
