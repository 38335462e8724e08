// docker cp's client-side rules (moby pkg/archive copy.go), shared by both directions of `fd cp`: where a
// tar is extracted and what its top entry is renamed to, from what the source is and what the destination is.
import path from 'node:path';
import { EngineError } from '../api/errors';

export interface CopySource {
  /** The path as given (trailing '/.' kept: it means "the contents of"). */
  path: string;
  isDir: boolean;
  /** Name to use instead of the source's base name (a followed link keeps the link's name). */
  rebaseName?: string;
}

export interface CopyDest {
  path: string;
  exists: boolean;
  isDir: boolean;
}

export interface CopyPlan {
  /** The directory to extract into. */
  dir: string;
  /** The tar's top entry name: '.' puts the contents of a directory straight into `dir`. */
  top: string;
}

const assertsDirectory = (p: string) => p.endsWith('/') || p.endsWith('/.') || p === '.';

/** Docker's SplitPathDirEntry: 'a/b/.' → ['a/b', '.'], 'a/b/' → ['a', 'b']. */
export function splitDirEntry(p: string): [string, string] {
  let cleaned = path.posix.normalize(p);
  if (p.endsWith('/.') || p === '.') cleaned = `${cleaned.replace(/\/$/, '')}/.`;
  cleaned = cleaned.replace(/(.)\/$/, '$1');
  return [path.posix.dirname(cleaned), path.posix.basename(cleaned) || '.'];
}

/** moby PrepareArchiveCopy, as a plan: the extraction dir and the name the source's top entry takes. */
export function planCopy(src: CopySource, dst: CopyDest): CopyPlan {
  const [dstDir, dstBase] = splitDirEntry(dst.path);
  const srcBase = src.rebaseName ?? splitDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dir: dst.path, top: srcBase };
  if (dst.exists && src.isDir) throw new EngineError('invalid', `cannot copy a directory to a file: ${dst.path}`);
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new EngineError('not_found', `destination directory ${dst.path} does not exist`);
  return { dir: dstDir, top: dstBase };
}

/** Renames a tar's top entry `from` (and everything under it) to `to`; other names pass unchanged. */
export function renameTop(from: string, to: string): (name: string) => string {
  if (from === to) return (name) => name;
  return (name) => {
    const n = name.replace(/^\.\/(?=.)/, from === '.' ? './' : '');
    if (n === from || n === `${from}/`) return to;
    if (n.startsWith(`${from}/`)) return `${to}/${n.slice(from.length + 1)}`;
    return name;
  };
}

/** `CONTAINER:PATH` or a local path (docker's splitCpArg: absolute or `./x:y` paths are local). */
export function splitCpArg(arg: string): { container: string | null; path: string } {
  if (arg.startsWith('/')) return { container: null, path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { container: null, path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export { assertsDirectory };
