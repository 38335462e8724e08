// Whether this engine runs rootless, and as whom. Outside the user namespace that is simply "not uid 0"; inside
// it the engine is uid 0 of a namespace it made, so the re-exec leaves the real ids in the environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Set by the re-exec (userns.ts) on the engine it starts inside the user namespace. */
export const HOST_UID_ENV = '_FD_ROOTLESS_UID';
export const HOST_GID_ENV = '_FD_ROOTLESS_GID';

export interface HostIds {
  uid: number;
  gid: number;
}

/** The unprivileged user behind this process, or null when the engine really is root. */
export function rootlessIds(env: NodeJS.ProcessEnv = process.env): HostIds | null {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid };
  if (env[HOST_UID_ENV] && insideUserNamespace()) {
    const hostUid = Number(env[HOST_UID_ENV]);
    return { uid: hostUid, gid: Number(env[HOST_GID_ENV] ?? hostUid) };
  }
  return null;
}

export function isRootless(env: NodeJS.ProcessEnv = process.env): boolean {
  return rootlessIds(env) !== null;
}

/** True in a user namespace other than the initial one (uid 0 is then not the host's root). */
export function insideUserNamespace(): boolean {
  try {
    const map = fs.readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
    // The initial namespace maps the whole range 0 → 0.
    return !(map[0] === '0' && map[1] === '0' && map[2] === '4294967295');
  } catch {
    return false;
  }
}

/** Rootless engines live in a user and mount namespace of their own; the CLI outside them is a plain user. */
export function needsUserNamespace(): boolean {
  return (process.getuid?.() ?? 0) !== 0 && !insideUserNamespace();
}

/**
 * Where a rootless user's sockets go when the root is the default one: $XDG_RUNTIME_DIR/flying-dutchman, like
 * podman's $XDG_RUNTIME_DIR/podman. Null without XDG_RUNTIME_DIR (then the sockets stay in the root).
 */
export function rootlessRuntimeDir(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'flying-dutchman') : null;
}

export function defaultRootlessRoot(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(dataHome, 'flying-dutchman');
}
