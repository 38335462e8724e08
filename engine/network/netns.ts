// Network namespaces kept alive by a bind mount on a file, exactly what `ip netns add` does, but under the
// engine's own dir: `unshare --net=FILE` creates the namespace and pins it there. Root only; rootless will
// swap this module for one that creates the namespace inside the user namespace.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from '../runtime/exec-file';
import { unavailable } from '../api/errors';
import { findBinary } from '../system/tools';

function tool(name: string): string {
  const found = findBinary(name);
  if (!found) throw unavailable(`${name} not found: install the Debian package "${name === 'ip' ? 'iproute2' : 'util-linux'}"`);
  return found;
}

let nsfsDev: number | null = null;
function nsfsDevice(): number {
  nsfsDev ??= fs.statSync('/proc/self/ns/net').dev;
  return nsfsDev;
}

/** True when the file is a pinned network namespace (and not the empty file left after a reboot). */
export function isNetns(file: string): boolean {
  try {
    return fs.statSync(file).dev === nsfsDevice();
  } catch {
    return false;
  }
}

/** Creates and pins a new network namespace at `file` with `lo` up. */
export async function createNetns(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (isNetns(file)) await removeNetns(file);
  fs.writeFileSync(file, '', { mode: 0o600 });
  const res = await execFile(tool('unshare'), [`--net=${file}`, tool('ip'), 'link', 'set', 'lo', 'up'], { timeoutMs: 15_000 });
  if (res.code !== 0 || !isNetns(file)) {
    await removeNetns(file);
    throw unavailable(`creating a network namespace at ${file} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
  }
}

/** Unpins and deletes; a missing or already unmounted file is fine. */
export async function removeNetns(file: string): Promise<void> {
  for (let i = 0; i < 4 && isNetns(file); i++) {
    const res = await execFile(tool('umount'), [file], { timeoutMs: 15_000 });
    if (res.code !== 0 && isNetns(file)) {
      await execFile(tool('umount'), ['-l', file], { timeoutMs: 15_000 });
    }
  }
  fs.rmSync(file, { force: true });
}

/** Whether any process still lives in the namespace pinned at `file` (a running or created container does). */
export function netnsInUse(file: string): boolean {
  let ino: number;
  try {
    const st = fs.statSync(file);
    if (st.dev !== nsfsDevice()) return false;
    ino = st.ino;
  } catch {
    return false;
  }
  const wanted = `net:[${ino}]`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/net`) === wanted) return true;
    } catch {
      // the process went away, or is a kernel thread
    }
  }
  return false;
}
