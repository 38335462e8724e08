// Facts about the host the runtime adapts to: hard rlimits (design §6: never above the host's hard limit),
// the boot id (reconcile), process start times (pid reuse checks) and the cgroup layout.
import fs from 'node:fs';
import type { Rlimit } from './spec';

/** Docker's default RLIMIT_NOFILE, capped by what this host allows. */
const WANTED_NOFILE = 1_048_576;

function hardLimit(name: string): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(name));
    if (!line) return null;
    const fields = line.slice(name.length).trim().split(/\s+/);
    const hard = fields[1];
    return hard === undefined || hard === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(hard);
  } catch {
    return null;
  }
}

export function defaultRlimits(): Rlimit[] {
  const nofile = Math.min(WANTED_NOFILE, hardLimit('Max open files') ?? 1024);
  return [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }];
}

export function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null when the process is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parens: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** True while `pid` runs and is the same process (same start time); zombies count as gone. */
export function isAlive(pid: number, startTime: string | null): boolean {
  if (pid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return false;
    return startTime === null || rest[19] === startTime;
  } catch {
    return false;
  }
}

export type CgroupLayout = 'v1' | 'hybrid' | 'v2' | 'none';

export function cgroupLayout(): CgroupLayout {
  if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'v2';
  if (fs.existsSync('/sys/fs/cgroup/memory') || fs.existsSync('/sys/fs/cgroup/pids')) {
    return fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? 'hybrid' : 'v1';
  }
  return 'none';
}
