// Reading one container's counters from its cgroup (v1 controllers or the v2 unified tree), /proc/stat and
// /proc/PID/net/dev. The cgroup is found from the container's init process (/proc/PID/cgroup against the
// host's cgroup mounts), falling back to the path the bundle gave runc (CGROUP_PARENT/ID).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerStatsSample, CpuSample, NetworkCounters } from '../api/container-stats';

/** USER_HZ: the unit of cpuacct.stat and /proc/stat (100 on every Linux the engine runs on). */
const NS_PER_TICK = 1e9 / 100;
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'] as const;
type V1Controller = (typeof V1_CONTROLLERS)[number];

export type CgroupDirs = { version: '1'; dirs: Partial<Record<V1Controller, string>> } | { version: '2'; dir: string };

interface CgroupMount {
  root: string;
  mountPoint: string;
  /** v1: the controllers the hierarchy carries; v2: empty. */
  controllers: string[];
  v2: boolean;
}

function cgroupMounts(): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of read('/proc/self/mountinfo').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const fields = left.split(' ');
    mounts.push({ root: fields[3]!, mountPoint: fields[4]!, controllers: fstype === 'cgroup' ? superOpts.split(',') : [], v2: fstype === 'cgroup2' });
  }
  return mounts;
}

function under(mount: CgroupMount, cgroupPath: string): string {
  const rel = mount.root !== '/' && cgroupPath.startsWith(mount.root) ? cgroupPath.slice(mount.root.length) : cgroupPath;
  return path.join(mount.mountPoint, rel);
}

/** Where the counters of the container live: from its process when it runs, else the path runc was given. */
export function locateCgroup(pid: number, fallbackPath: string): CgroupDirs {
  const mounts = cgroupMounts();
  const byHierarchy = new Map<string, string>();
  const v2Paths: string[] = [];
  if (pid > 0) {
    for (const line of read(`/proc/${pid}/cgroup`).split('\n')) {
      const m = /^(\d+):([^:]*):(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === '0' && m[2] === '') v2Paths.push(m[3]!);
      else for (const c of m[2]!.split(',')) byHierarchy.set(c, m[3]!);
    }
  }
  const v1: Partial<Record<V1Controller, string>> = {};
  for (const c of V1_CONTROLLERS) {
    const mount = mounts.find((m) => !m.v2 && m.controllers.includes(c));
    if (mount) v1[c] = under(mount, byHierarchy.get(c) ?? fallbackPath);
  }
  // Hybrid hosts (v1 controllers plus an empty unified tree): runc puts the controllers on v1.
  if (Object.keys(v1).length) return { version: '1', dirs: v1 };
  const unified = mounts.find((m) => m.v2);
  return { version: '2', dir: unified ? under(unified, v2Paths[0] ?? fallbackPath) : path.join('/sys/fs/cgroup', fallbackPath) };
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A counter file; "max" and missing files read as 0. Values above 2^53 lose precision, which rates tolerate. */
function num(file: string): number {
  const n = Number(read(file).trim());
  return Number.isFinite(n) ? n : 0;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). */
function keyValues(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of read(file).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/** Total CPU time of the host since boot, the denominator docker's CPU % uses. */
function hostCpuNs(): number {
  const line = read('/proc/stat')
    .split('\n')
    .find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .reduce((sum, t) => sum + Number(t), 0);
  return ticks * NS_PER_TICK;
}

/** Interfaces of the container's network namespace, seen through its init process. */
export function readNetworks(pid: number): Record<string, NetworkCounters> {
  const out: Record<string, NetworkCounters> = {};
  if (pid <= 0) return out;
  for (const line of read(`/proc/${pid}/net/dev`).split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = {
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      rxErrors: f[2] ?? 0,
      rxDropped: f[3] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
      txErrors: f[10] ?? 0,
      txDropped: f[11] ?? 0,
    };
  }
  return out;
}

type Counters = Pick<ContainerStatsSample, 'cpu' | 'memory' | 'pids' | 'blkio'>;

function readV1(dirs: Partial<Record<V1Controller, string>>, hostMemory: number): Counters {
  const acct = dirs.cpuacct ?? '';
  const ticks = keyValues(path.join(acct, 'cpuacct.stat'));
  const throttle = keyValues(path.join(dirs.cpu ?? '', 'cpu.stat'));
  const cpu: Omit<CpuSample, 'systemNs' | 'onlineCpus'> = {
    totalNs: num(path.join(acct, 'cpuacct.usage')),
    kernelNs: (ticks.system ?? 0) * NS_PER_TICK,
    userNs: (ticks.user ?? 0) * NS_PER_TICK,
    perCpuNs: read(path.join(acct, 'cpuacct.usage_percpu')).trim().split(/\s+/).filter(Boolean).map(Number),
    periods: throttle.nr_periods ?? 0,
    throttledPeriods: throttle.nr_throttled ?? 0,
    throttledNs: throttle.throttled_time ?? 0,
  };
  const mem = dirs.memory ?? '';
  const limit = num(path.join(mem, 'memory.limit_in_bytes'));
  const blkioDir = dirs.blkio ?? '';
  const blkioFile = fs.existsSync(path.join(blkioDir, 'blkio.throttle.io_service_bytes_recursive')) ? 'blkio.throttle.io_service_bytes_recursive' : 'blkio.throttle.io_service_bytes';
  const blkio: Counters['blkio'] = [];
  for (const line of read(path.join(blkioDir, blkioFile)).split('\n')) {
    const m = /^(\d+):(\d+) (Read|Write) (\d+)$/.exec(line.trim());
    if (m) blkio.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] === 'Read' ? 'read' : 'write', value: Number(m[4]) });
  }
  return {
    cpu: { ...cpu, systemNs: 0, onlineCpus: 0 },
    memory: {
      usage: num(path.join(mem, 'memory.usage_in_bytes')),
      maxUsage: num(path.join(mem, 'memory.max_usage_in_bytes')),
      // v1 reports "no limit" as a page-rounded 2^63.
      limit: limit > 0 && limit < hostMemory ? limit : hostMemory,
      stats: keyValues(path.join(mem, 'memory.stat')),
    },
    pids: { current: num(path.join(dirs.pids ?? '', 'pids.current')), limit: num(path.join(dirs.pids ?? '', 'pids.max')) },
    blkio,
  };
}

function readV2(dir: string, hostMemory: number): Counters {
  const cpu = keyValues(path.join(dir, 'cpu.stat'));
  const limit = num(path.join(dir, 'memory.max'));
  const blkio: Counters['blkio'] = [];
  for (const line of read(path.join(dir, 'io.stat')).split('\n')) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line.trim());
    if (!m) continue;
    const kv = Object.fromEntries(m[3]!.split(' ').map((p) => p.split('=') as [string, string]));
    blkio.push({ major: Number(m[1]), minor: Number(m[2]), op: 'read', value: Number(kv.rbytes ?? 0) });
    blkio.push({ major: Number(m[1]), minor: Number(m[2]), op: 'write', value: Number(kv.wbytes ?? 0) });
  }
  return {
    cpu: {
      totalNs: (cpu.usage_usec ?? 0) * 1000,
      kernelNs: (cpu.system_usec ?? 0) * 1000,
      userNs: (cpu.user_usec ?? 0) * 1000,
      perCpuNs: [],
      systemNs: 0,
      onlineCpus: 0,
      periods: cpu.nr_periods ?? 0,
      throttledPeriods: cpu.nr_throttled ?? 0,
      throttledNs: (cpu.throttled_usec ?? 0) * 1000,
    },
    memory: { usage: num(path.join(dir, 'memory.current')), maxUsage: 0, limit: limit > 0 && limit < hostMemory ? limit : hostMemory, stats: keyValues(path.join(dir, 'memory.stat')) },
    pids: { current: num(path.join(dir, 'pids.current')), limit: num(path.join(dir, 'pids.max')) },
    blkio,
  };
}

/** One reading of every counter. */
export function readCounters(cgroup: CgroupDirs, pid: number): Counters & { networks: Record<string, NetworkCounters> } {
  const hostMemory = os.totalmem();
  const counters = cgroup.version === '1' ? readV1(cgroup.dirs, hostMemory) : readV2(cgroup.dir, hostMemory);
  counters.cpu.systemNs = hostCpuNs();
  counters.cpu.onlineCpus = os.cpus().length;
  return { ...counters, networks: readNetworks(pid) };
}

/** The sample of a container that is not running: docker shows zeros for it. */
export function zeroCounters(): Counters & { networks: Record<string, NetworkCounters> } {
  return {
    cpu: { totalNs: 0, kernelNs: 0, userNs: 0, perCpuNs: [], systemNs: 0, onlineCpus: 0, periods: 0, throttledPeriods: 0, throttledNs: 0 },
    memory: { usage: 0, maxUsage: 0, limit: 0, stats: {} },
    pids: { current: 0, limit: 0 },
    blkio: [],
    networks: {},
  };
}
