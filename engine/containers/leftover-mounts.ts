// Before a container's dir is deleted, nothing may stay mounted inside it: a recursive delete would walk into
// the mount and destroy what it shows (a user's bind source, an image layer through the overlay). Mounts
// left behind are unmounted here; one that refuses (busy) fails the removal, and the container becomes dead.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from '../runtime/exec-file';

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const root = path.resolve(dir);
  let info: string;
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  // mountinfo escapes spaces and other bytes as \ooo.
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === root || p.startsWith(`${root}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts what is left under `dir`; throws naming the mount that stays (busy) and what to do about it. */
export async function unmountLeftovers(dir: string): Promise<void> {
  // Mounts can be stacked on one point: each round takes off the top ones, until none is left or one refuses.
  for (let round = 0; round < 8; round++) {
    const points = mountsUnder(dir);
    if (!points.length) return;
    for (const point of points) {
      const r = await execFile('umount', [point], { timeoutMs: 30_000 });
      if (r.code !== 0) {
        const reason = (r.stderr || '').trim().replace(/^umount: /, '') || `umount exited with ${r.code}`;
        throw new Error(`${point} is still mounted (${reason}): stop whatever uses it, then remove the container again with rm -f`);
      }
    }
  }
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`${left[0]} is still mounted: unmount it, then remove the container again with rm -f`);
}

/** Last step before the container's dir goes: the runtime must have let go of it and nothing be mounted in it. */
export async function checkRemovable(runtime: { state(id: string): Promise<{ status: string } | null> } | null, id: string, dir: string): Promise<void> {
  const left = await runtime?.state(id).catch(() => null);
  if (left) throw new Error(`the runtime still has the container (${left.status}): runc delete failed`);
  await unmountLeftovers(dir);
}
