// A busybox rootfs for container tests, built from Debian's statically linked busybox (package busybox-static):
// one binary, a symlink per applet, and /etc/passwd + /etc/group with a non-root user to test `--user`.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));

export function busyboxPath(): string {
  if (!BUSYBOX) throw new Error('busybox not found: install the Debian package "busybox-static"');
  return BUSYBOX;
}

/** Writes a busybox rootfs into `dir` (created if missing) and returns `dir`. */
export function buildBusyboxRootfs(dir: string): string {
  const busybox = busyboxPath();
  for (const d of ['bin', 'sbin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'home/app', 'usr/bin', 'usr/sbin', 'var']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync(busybox, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'busybox') continue;
    const link = path.join(dir, 'bin', applet);
    if (!fs.existsSync(link)) fs.symlinkSync('busybox', link);
  }
  fs.writeFileSync(
    path.join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n');
  fs.chownSync(path.join(dir, 'home/app'), 1000, 1000);
  return dir;
}
