// Debian's podman as a benchmark peer. It has no daemon, so each operation is one podman process, like `fd`
// is one CLI process talking to its engine. Private storage and run roots (nothing shared with a podman the
// user has), runc as the runtime (crun refuses these hybrid cgroups), cgroupfs, file events (no journald), and
// the loopback registry reached with --tls-verify=false. `stop()` removes everything it made.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRlimits } from '../../engine/runtime/host';

export const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => fs.existsSync(p));

export interface PodmanPeer {
  /** Argv prefix: the podman binary and its global flags for this private root. */
  cli: string[];
  /** Flags `podman run` needs on this host (see runLimits). */
  runArgs: string[];
  /** Runs `podman ARGS` to completion; throws on a non-zero exit. */
  podman(args: string[]): string;
  stop(): void;
}

/**
 * podman asks for nofile 1048576 and nproc 32768 by default; these hosts cap nofile at 20000 and deny
 * CAP_SYS_RESOURCE, so runc fails to set either. Its containers get the nofile fd gives its own (docker's
 * default capped by the host's hard limit) and a modest nproc, which docker does not set at all (the bench
 * runs `true`).
 */
function runLimits(): string[] {
  const nofile = defaultRlimits().find((l) => l.type === 'RLIMIT_NOFILE')!.hard;
  return [`--ulimit=nofile=${nofile}:${nofile}`, '--ulimit=nproc=4096:4096'];
}

export function startPodman(): PodmanPeer {
  if (!PODMAN) throw new Error('podman is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-pm-'));
  const cli = [
    PODMAN,
    `--root=${path.join(dir, 'storage')}`,
    `--runroot=${path.join(dir, 'run')}`,
    `--tmpdir=${path.join(dir, 'tmp')}`,
    '--runtime=runc',
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
    '--storage-driver=overlay',
    '--log-level=error',
  ];
  const podman = (args: string[]) => {
    const r = spawnSync(cli[0]!, [...cli.slice(1), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  return {
    cli,
    runArgs: runLimits(),
    podman,
    stop() {
      spawnSync(cli[0]!, [...cli.slice(1), 'rm', '-af'], { stdio: 'ignore' });
      // c/storage keeps its overlay dir (and any layer still mounted) mounted: unmount before removing.
      spawnSync(cli[0]!, [...cli.slice(1), 'system', 'reset', '-f'], { stdio: 'ignore' });
      const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir));
      for (const m of mounts.sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
