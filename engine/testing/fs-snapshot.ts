// A tree's observable state for "nothing outside changed" checks in the tar fuzz suites.
import fs from 'node:fs';
import path from 'node:path';

/** Everything under dir, not following links: path → kind, content, mode, link count, owner, mtime. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs);
    const what = st.isSymbolicLink() ? `l:${fs.readlinkSync(abs)}` : st.isDirectory() ? 'd' : st.isFile() ? `f:${fs.readFileSync(abs, 'utf8')}` : 'o';
    out.set(rel, `${what}:${st.mode}:${st.nlink}:${st.uid}:${st.mtimeMs}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(abs)) walk(path.join(rel, e));
  };
  walk('');
  return out;
}
