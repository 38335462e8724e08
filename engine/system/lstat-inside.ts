// lstat of a path inside a tree the engine owns (an unpacked layer, a container's upper dir) without following
// any symlink on the way: in those trees a link is data, never a way out.
import fs from 'node:fs';
import path from 'node:path';

/** `rel` '' is the root itself. Null when `rel` is absent or only reachable through something that is not a directory. */
export function lstatInside(root: string, rel: string): fs.Stats | null {
  let cur = root;
  const parts = rel.split('/').filter(Boolean);
  if (!parts.length) return fs.lstatSync(root, { throwIfNoEntry: false }) ?? null;
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]!);
    const st = fs.lstatSync(cur, { throwIfNoEntry: false });
    if (!st) return null;
    if (i < parts.length - 1 && !st.isDirectory()) return null;
    if (i === parts.length - 1) return st;
  }
  return null;
}
