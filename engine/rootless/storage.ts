// How layers and overlay mounts differ inside the rootless user namespace: overlayfs there (kernel >= 5.11)
// needs `userxattr` and reads user.overlay.* instead of trusted.overlay.* (which only the host's root may set).
// Whiteout char devices 0/0 need no change: the kernel lets a user namespace make them (verified on 6.x).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { EngineError } from '../api/errors';
import { cleanEnv } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import { insideUserNamespace } from './mode';

let cached: boolean | null = null;

/** Whether overlay attributes must live in the user.* namespace (cached: a process never changes namespace). */
export function usesUserXattrs(): boolean {
  return (cached ??= insideUserNamespace());
}

export function overlayXattr(name: 'opaque'): string {
  return `${usesUserXattrs() ? 'user' : 'trusted'}.overlay.${name}`;
}

/** Extra overlay mount options for this process. */
export function overlayMountOptions(): string[] {
  return usesUserXattrs() ? ['userxattr'] : [];
}

/** overlayfs' own attributes in either namespace: a layer tar may never set them (they come from whiteouts). */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

/**
 * A tar xattr that cannot be applied: unsupported by the filesystem, or, inside the user namespace, in a
 * namespace only the host's root may write (trusted.*); docker's rootless unpack skips these too.
 */
export function isIgnorableXattrError(name: string, err: Error): boolean {
  if (/not supported|ENOTSUP|EOPNOTSUPP/i.test(err.message)) return true;
  return usesUserXattrs() && name.startsWith('trusted.') && /not permitted|EPERM/i.test(err.message);
}

/** How many ids the current user namespace maps (uid_map), e.g. 65537 for 0 → user plus 65536 subordinate ids. */
function mappedIds(): number {
  try {
    return fs
      .readFileSync('/proc/self/uid_map', 'utf8')
      .trim()
      .split('\n')
      .reduce((n, line) => n + Number(line.trim().split(/\s+/)[2] ?? 0), 0);
  } catch {
    return 0;
  }
}

/**
 * A chown the user namespace refuses (EINVAL: the id is not mapped) becomes an error that says why and what to
 * change; anything else passes through.
 */
export function explainUnmappedOwner(err: unknown, layer: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!usesUserXattrs() || e?.code !== 'EINVAL' || !/chown/.test(e.syscall ?? '')) return err;
  const user = process.env.USER || process.env.LOGNAME || 'USER';
  return new EngineError(
    'invalid',
    `layer ${layer} has files owned by an id this rootless engine cannot map (its user namespace maps ids 0-${mappedIds() - 1}): ` +
      `give ${user} a larger range in /etc/subuid and /etc/subgid (run as root: usermod --add-subuids 100000-1165535 --add-subgids 100000-1165535 ${user}), then stop every fd engine of ${user} and kill the pid in ROOT/userns.json so the namespace is made again`,
  );
}

/**
 * fuse-overlayfs instead of the kernel's overlay, inside the user namespace only: when FD_OVERLAY=fuse-overlayfs
 * asks for it, or as the fallback when the kernel refuses (before 5.11 overlay cannot be mounted in a user
 * namespace). It reads the same whiteouts (char 0/0, user.overlay.opaque; verified with Debian's 1.10).
 */
export function preferFuseOverlay(env: NodeJS.ProcessEnv = process.env): boolean {
  return usesUserXattrs() && env.FD_OVERLAY === 'fuse-overlayfs';
}

/** Mounts `rootfs` in containerDir with fuse-overlayfs (lowers relative to containerDir); null on success. */
export async function mountFuseOverlay(containerDir: string, lowerNames: string[]): Promise<string | null> {
  if (!usesUserXattrs()) return 'fuse-overlayfs is only used by a rootless engine';
  const binary = findBinary('fuse-overlayfs');
  if (!binary) return 'fuse-overlayfs is not installed: run (as root): apt-get install fuse-overlayfs';
  const options = `lowerdir=${lowerNames.join(':')},upperdir=upper,workdir=work`;
  // It daemonizes (stdio to /dev/null) once mounted: wait for the first process to exit, not for pipes to close.
  return new Promise((resolve) => {
    const child = spawn(binary, ['-o', options, 'rootfs'], { cwd: containerDir, stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(`fuse-overlayfs: ${e.message}`));
    child.on('exit', (code) => {
      child.stderr.destroy();
      const text = err.split('\n').filter((l) => l && !/unknown argument ignored/.test(l)).join('; ');
      resolve(code === 0 ? null : `fuse-overlayfs failed: ${text || `exit ${code}`}`);
    });
  });
}
