// Resident memory of a process and everything it spawned (dockerd → containerd, but not container processes
// started by a shim: those are charged to nobody's engine), read from /proc.
import fs from 'node:fs';

function children(pid: number): number[] {
  const out: number[] = [];
  for (const task of fs.readdirSync(`/proc/${pid}/task`, { withFileTypes: true })) {
    try {
      out.push(...fs.readFileSync(`/proc/${pid}/task/${task.name}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** RSS of one process in MB (VmRSS), 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS of `pid` plus its descendants that are daemons (dockerd, containerd), in MB; shims and containers are skipped. */
export function processTreeRss(pid: number, include: (name: string) => boolean = (n) => /^(dockerd|containerd)$/.test(n)): number {
  let total = rssMb(pid);
  for (const c of children(pid)) if (include(comm(c))) total += processTreeRss(c, include);
  return total;
}
