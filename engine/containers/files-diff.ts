// `docker diff`: what a container changed in its filesystem, read from its overlay upper dir (no mount
// needed). A whiteout (char device 0/0) is a deletion; a file or directory the image's layers have too is a
// change, otherwise an addition; an opaque directory deletes what the layers had under it. Mount points the
// runtime created (/etc/hosts, volume targets) are not the container's changes and are left out.
import fs from 'node:fs';
import path from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import type { FileChange } from '../api/container-files';
import { lstatInside } from '../system/lstat-inside';

const isWhiteout = (st: fs.Stats) => st.isCharacterDevice() && st.rdev === 0;

function isOpaque(abs: string): boolean {
  try {
    return getAttributeSync(abs, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch {
    return false;
  }
}

/** The path as the image's layers show it (topmost first), or null when they do not have it. */
function inLayers(lowerDirs: string[], rel: string): fs.Stats | null {
  for (const lower of lowerDirs) {
    const st = lstatInside(lower, rel);
    if (st) return isWhiteout(st) ? null : st;
  }
  return null;
}

export function diffUpper(upper: string, lowerDirs: string[], exclude: Set<string>): FileChange[] {
  const out: FileChange[] = [];

  /** Adds changes under `rel` (a directory in upper); returns whether it added any. */
  const walk = (rel: string): boolean => {
    const before = out.length;
    const names = fs.readdirSync(path.join(upper, rel)).sort();
    for (const name of names) {
      const child = `${rel}/${name}`;
      if (exclude.has(child)) continue;
      const abs = path.join(upper, child);
      const st = fs.lstatSync(abs);
      if (isWhiteout(st)) {
        out.push({ path: child, kind: 'D' });
        continue;
      }
      const lower = inLayers(lowerDirs, child);
      if (!st.isDirectory()) {
        out.push({ path: child, kind: lower ? 'C' : 'A' });
        continue;
      }
      if (!lower || !lower.isDirectory()) {
        out.push({ path: child, kind: 'A' });
        walk(child);
        continue;
      }
      const at = out.length;
      const opaque = isOpaque(abs);
      const changedInside = walk(child);
      if (opaque) {
        // Whatever the layers held here and upper does not is gone.
        const kept = new Set(fs.readdirSync(abs));
        for (const lowerDir of lowerDirs) {
          const dir = path.join(lowerDir, child);
          if (!lstatInside(lowerDir, child)?.isDirectory()) continue;
          for (const gone of fs.readdirSync(dir)) {
            if (!kept.has(gone) && !out.some((c) => c.path === `${child}/${gone}`)) out.push({ path: `${child}/${gone}`, kind: 'D' });
          }
          break;
        }
      }
      const metaChanged = (st.mode & 0o7777) !== (lower.mode & 0o7777) || st.uid !== lower.uid || st.gid !== lower.gid;
      if (changedInside || opaque || metaChanged) out.splice(at, 0, { path: child, kind: 'C' });
    }
    return out.length > before;
  };

  if (fs.existsSync(upper)) walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Mount destinations of the container's last OCI spec: the runtime made these, not the container. */
export function mountPoints(configJson: string): Set<string> {
  try {
    const spec = JSON.parse(fs.readFileSync(configJson, 'utf8')) as { mounts?: { destination?: string }[] };
    return new Set((spec.mounts ?? []).map((m) => path.posix.normalize(m.destination ?? '')).filter((d) => d.startsWith('/')));
  } catch {
    return new Set();
  }
}
