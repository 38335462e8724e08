// A running container's DNS names after `rename`: aardvark-dns answers from one file per network, written by
// netavark (a gateway line, then `<container id> <ipv4s> <ipv6s> <names>` per container), and rereads them on
// SIGHUP. Tearing the container's network down and up again would cut its connections; editing its line does
// not.
import fs from 'node:fs';
import path from 'node:path';

/** Replaces `oldName` by `newName` in the container's lines; true when any file changed (aardvark was told). */
export function renameInAardvark(configDir: string, networks: string[], containerId: string, oldName: string, newName: string): boolean {
  const dir = path.join(configDir, 'aardvark-dns');
  let changed = false;
  for (const network of networks) {
    const file = path.join(dir, network);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // a network without DNS has no file
    }
    const lines = text.split('\n').map((line) => {
      const fields = line.split(' ');
      if (fields[0] !== containerId || fields.length < 4) return line;
      fields[3] = fields[3]!.split(',').map((n) => (n === oldName ? newName : n)).join(',');
      return fields.join(' ');
    });
    const next = lines.join('\n');
    if (next === text) continue;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, next);
    fs.renameSync(tmp, file);
    changed = true;
  }
  if (changed) reloadAardvark(dir);
  return changed;
}

function reloadAardvark(dir: string) {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'aardvark.pid'), 'utf8').trim());
    if (pid > 0) process.kill(pid, 'SIGHUP');
  } catch {
    // no aardvark running: it reads the files when netavark next starts it
  }
}
