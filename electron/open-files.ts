// Which paths the app was asked to open (argv, a second instance's argv, macOS open-file, a drop on the
// window) are compose files to show the plan of. The compose loader judges the content; this only keeps out
// what is plainly not a compose file (flags, directories, the app's own script).
import fs from 'node:fs';
import path from 'node:path';

const COMPOSE_EXT = new Set(['.yml', '.yaml', '.json']);

export function isComposeCandidate(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  if (!COMPOSE_EXT.has(path.extname(base)) && !base.includes('compose')) return false;
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Compose files named on a command line (the first `skip` entries are the executable and script). */
export function composeFilesFromArgv(argv: readonly string[], cwd: string, skip: number): string[] {
  const out: string[] = [];
  let afterDashes = false;
  for (const arg of argv.slice(skip)) {
    if (!afterDashes && arg === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && arg.startsWith('-')) continue;
    const file = path.resolve(cwd, arg);
    if (isComposeCandidate(file)) out.push(file);
  }
  return out;
}
