// Test support: the engine process as the desktop app starts it in a checkout (child_process.fork of the
// built CLI under this Node). Needs dist/cli.js (`node scripts/build.mjs`).
import path from 'node:path';
import { repoRoot } from '../../engine/testing/engine';
import { forkLauncher } from '../engine-link';

export const cliBundle = path.join(repoRoot, 'dist', 'cli.js');
export const forkCli = () => forkLauncher(cliBundle, process.execPath);

/** Is a process alive? (signal 0 checks without sending anything) */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
