// Layer unpacking (design §6): the writer (unpack-writer.ts: path-safe tar walk, whiteouts, xattrs) runs in this
// thread, or in a worker thread per layer where cores are left over (unpack-pool.ts).
import fsp from 'node:fs/promises';
import path from 'node:path';
import type fs from 'node:fs';
import { UNPACK_WORKERS, unpackInWorker } from './unpack-pool';
import { writeLayer, type UnpackOptions, type UnpackResult } from './unpack-writer';

export { decompress, UnsafeLayerError, type UnpackOptions, type UnpackResult } from './unpack-writer';

/**
 * Unpacks a layer into `root`, which must be a fresh empty directory: a plain tar stream, or with `decompress`
 * a layer blob (gzip, zstd or plain). The result's diff id is the sha256 of the tar. Settles only once
 * nothing more is being written under `root`, also on failure (the caller removes it).
 */
export async function unpackLayer(source: AsyncIterable<Buffer>, root: string, options: UnpackOptions): Promise<UnpackResult> {
  return (UNPACK_WORKERS > 0 ? await unpackInWorker(source, root, options) : null) ?? writeLayer(source, root, options);
}

/** lstat of `rel` inside `root` without following any symlink on the way; null when absent or not reachable. */
export async function lstatInside(root: string, rel: string): Promise<fs.Stats | null> {
  let cur = root;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]!);
    const st = await fsp.lstat(cur).catch(() => null);
    if (!st) return null;
    if (i < parts.length - 1 && !st.isDirectory()) return null;
    if (i === parts.length - 1) return st;
  }
  return null;
}

/**
 * Directories a layer created only as parents get the owner, mode and times the same path has in the
 * nearest lower layer (containerd's WithParents): otherwise the upper dir would mask the lower dir's metadata.
 */
export async function inheritParentMetadata(root: string, implicitDirs: string[], lowerDirs: string[]): Promise<void> {
  for (const rel of implicitDirs) {
    for (const lower of lowerDirs) {
      const st = await lstatInside(lower, rel);
      if (!st) continue;
      if (st.isDirectory()) {
        const abs = path.join(root, rel);
        if (process.getuid?.() === 0) await fsp.lchown(abs, st.uid, st.gid);
        await fsp.chmod(abs, st.mode & 0o7777);
        await fsp.utimes(abs, st.atime, st.mtime);
      }
      break;
    }
  }
}
