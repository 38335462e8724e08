// Rootless mode (issue #10): the engine as an ordinary user, inside a user + mount namespace of its own.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../api/errors';
import { setRootlessWarn } from './spec';
import { checkRootlessHost } from './preflight';
import { isRootless, needsUserNamespace } from './mode';
import { reexecInUserNamespace } from './userns';

export { isRootless, rootlessIds, insideUserNamespace } from './mode';

/**
 * For `fd engine` run by a non-root user: checks the host (each missing piece named with its fix), then runs
 * the same command inside the engine's user namespace and returns its exit code. Null when already root or
 * already inside: the caller then starts the engine itself.
 */
export async function runEngineInUserNamespace(root: string): Promise<number | null> {
  if (!needsUserNamespace()) return null;
  const host = checkRootlessHost();
  return reexecInUserNamespace(root, host);
}

/**
 * Host-side preparation in startEngineHost: a rootless engine must already be inside its namespaces (only a
 * fresh process can enter them), its socket dirs exist, and its warnings go to the engine's log.
 */
export function prepareRootlessHost(paths: { engineSocket: string; dockerSocket: string }, warn: (message: string) => void) {
  if (needsUserNamespace()) {
    throw new EngineError('unavailable', 'a rootless engine runs inside its own user namespace: start it with "fd engine" (as this user)');
  }
  if (!isRootless()) return;
  setRootlessWarn(warn);
  for (const socket of [paths.engineSocket, paths.dockerSocket]) fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
}
