// The data root and everything under it. One place names each path so no module invents its own.
import path from 'node:path';
import { defaultRootlessRoot, isRootless, rootlessRuntimeDir } from './rootless/mode';

export const DEFAULT_ROOT_FOR_ROOT = '/var/lib/flying-dutchman';

/** `--root` wins, then `FD_ROOT`, then the default for this user (design §3). */
export function resolveRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.FD_ROOT) return path.resolve(env.FD_ROOT);
  // Inside the rootless engine's user namespace the uid is 0 too: isRootless knows the real user.
  if (!isRootless(env)) return DEFAULT_ROOT_FOR_ROOT;
  return defaultRootlessRoot(env);
}

/** A rootless user's default root keeps its sockets under $XDG_RUNTIME_DIR/flying-dutchman (design §3). */
function defaultSocketDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isRootless(env) || env.FD_ROOT || root !== defaultRootlessRoot(env)) return root;
  return rootlessRuntimeDir(env) ?? root;
}

export interface RootPaths {
  root: string;
  engineSocket: string;
  dockerSocket: string;
  store: string;
  pidFile: string;
  /** Per-container state: bundle, conmon files, logs. */
  containers: string;
  /** Content store and layer snapshots. */
  images: string;
  volumes: string;
  networks: string;
  /** Scratch space on the same filesystem as the stores, so renames are atomic. */
  tmp: string;
  /** runc's --root state dir (design §6: always explicit). */
  runtimeState: string;
}

export function rootPaths(root: string, overrides: { engineSocket?: string; dockerSocket?: string } = {}): RootPaths {
  const sockets = defaultSocketDir(root);
  return {
    root,
    engineSocket: overrides.engineSocket ?? path.join(sockets, 'engine.sock'),
    dockerSocket: overrides.dockerSocket ?? path.join(sockets, 'docker.sock'),
    store: path.join(root, 'store.db'),
    pidFile: path.join(root, 'engine.pid'),
    containers: path.join(root, 'containers'),
    images: path.join(root, 'images'),
    volumes: path.join(root, 'volumes'),
    networks: path.join(root, 'networks'),
    tmp: path.join(root, 'tmp'),
    runtimeState: path.join(root, 'runtime'),
  };
}
