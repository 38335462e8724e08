// How layers and overlay mounts differ inside the rootless user namespace: overlayfs there (kernel >= 5.11)
// needs `userxattr` and reads user.overlay.* instead of trusted.overlay.* (which only the host's root may set).
// Whiteout char devices 0/0 need no change: the kernel lets a user namespace make them (verified on 6.x).
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
