// Finds the helper binaries the engine drives. Debian puts netavark and aardvark-dns outside PATH.
import fs from 'node:fs';
import path from 'node:path';

const extraDirs = ['/usr/libexec/podman', '/usr/lib/podman', '/usr/local/libexec/podman', '/usr/sbin', '/sbin'];

export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const engineTools = ['runc', 'crun', 'conmon', 'netavark', 'aardvark-dns', 'iptables', 'zstd'] as const;

export function findTools(): Record<string, string | null> {
  return Object.fromEntries(engineTools.map((t) => [t, findBinary(t)]));
}
