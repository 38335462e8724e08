// The container's root filesystem when it comes from an image: an overlay of the image's layer dirs (topmost
// first) under a per-container upper/work dir. Lower dirs are reached through short symlinks in the container
// dir and the mount runs with that dir as cwd, so the mount options stay under a page for deep images.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from './exec-file';
import { mountFuseOverlay, overlayMountOptions, preferFuseOverlay, usesUserXattrs } from '../rootless/storage';

export interface OverlayDirs {
  /** Where the merged tree is mounted (the bundle's rootfs). */
  merged: string;
  upper: string;
  work: string;
  /** Holds the `N -> layer dir` symlinks. */
  links: string;
}

export function overlayDirs(containerDir: string): OverlayDirs {
  return {
    merged: path.join(containerDir, 'rootfs'),
    upper: path.join(containerDir, 'upper'),
    work: path.join(containerDir, 'work'),
    links: path.join(containerDir, 'l'),
  };
}

/**
 * `volatile` (podman does the same for `--rm`): the kernel skips syncing the upper dir, so unmounting does not
 * wait for a sync of the whole filesystem under it (0.1-0.6 s here with other writes in flight). The price is
 * an upper dir that cannot be trusted after a host crash, which a disposable container never needs.
 */
export async function mountOverlay(containerDir: string, lowerDirs: string[], opts: { volatile?: boolean } = {}): Promise<string> {
  const d = overlayDirs(containerDir);
  if (isMounted(d.merged)) return d.merged;
  for (const dir of [d.merged, d.upper, d.work, d.links]) fs.mkdirSync(dir, { recursive: true });
  // A volatile mount leaves this marker and the kernel refuses the next mount while it exists; we unmounted
  // cleanly (a restart of the same --rm container), so it goes.
  fs.rmSync(path.join(d.work, 'work', 'incompat', 'volatile'), { recursive: true, force: true });
  const names = lowerDirs.map((lower, i) => {
    const link = path.join(d.links, String(i));
    fs.rmSync(link, { force: true });
    fs.symlinkSync(lower, link);
    return `l/${i}`;
  });
  // A single lower dir with no upper would be read-only; overlay always gets an upper here.
  const options = [`lowerdir=${names.join(':')},upperdir=upper,workdir=work,index=off`, ...(opts.volatile ? ['volatile'] : []), ...overlayMountOptions()].join(',');
  if (preferFuseOverlay()) return fuseOrThrow(containerDir, names, d.merged, '');
  const r = await execFile('mount', ['-t', 'overlay', 'overlay', '-o', options, 'rootfs'], { cwd: containerDir, timeoutMs: 30_000 });
  if (r.code !== 0) {
    // Rootless on a kernel without overlay in user namespaces: fuse-overlayfs does the same job.
    if (usesUserXattrs()) return fuseOrThrow(containerDir, names, d.merged, r.stderr.trim());
    throw new Error(`mounting the container's overlay failed: ${r.stderr.trim()}`);
  }
  return d.merged;
}

async function fuseOrThrow(containerDir: string, names: string[], merged: string, kernelError: string): Promise<string> {
  const fuseError = await mountFuseOverlay(containerDir, names);
  if (fuseError) throw new Error(`mounting the container's overlay failed: ${[kernelError, fuseError].filter(Boolean).join('; ')}`);
  return merged;
}

export async function unmountOverlay(containerDir: string): Promise<void> {
  const merged = overlayDirs(containerDir).merged;
  if (!isMounted(merged)) return;
  const r = await execFile('umount', [merged], { timeoutMs: 30_000 });
  if (r.code !== 0 && isMounted(merged)) {
    // Busy (a process still holds it): detach lazily so removal can go on.
    await execFile('umount', ['-l', merged], { timeoutMs: 30_000 });
  }
}

export function isMounted(dir: string): boolean {
  const target = path.resolve(dir);
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[4] === target);
  } catch {
    return false;
  }
}
