// Builds the OCI runtime config.json for a container: docker's defaults (namespaces, mounts, masked and
// read-only paths, capabilities, device cgroup) plus what the user asked for. Pure: the caller resolves the
// user and the host limits and passes them in, so this is easy to test and to reuse for exec.
import type { ResolvedUser } from './users';
import { adaptSpecForRootless } from '../rootless/spec';

export interface ResourceLimits {
  /** Bytes. */
  memory?: number;
  /** Fractional CPUs (1.5 = one and a half cores). */
  cpus?: number;
  pidsLimit?: number;
}

export interface Rlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface SpecInput {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
  tty: boolean;
  hostname: string;
  rlimits: Rlimit[];
  resources?: ResourceLimits;
  /** cgroupfs path relative to each hierarchy's root, e.g. /flying-dutchman/<id>. */
  cgroupsPath?: string;
  /** Files bind-mounted read-only over /etc/{hosts,hostname,resolv.conf}. */
  etcFiles?: { hosts?: string; hostname?: string; resolvConf?: string };
  /** Join this network namespace instead of creating a fresh one (loopback only). */
  netnsPath?: string;
  /** The container's network: the host's (no network namespace at all) or a prepared namespace to join. */
  network?: { mode: 'host' | 'none' } | { netnsPath: string };
  extraMounts?: OciMount[];
  /** The user's mounts (-v, --mount, --tmpfs, image VOLUMEs): each replaces a default mount at its destination. */
  mounts?: OciMount[];
  /** --read-only: the root filesystem is read-only; mounts keep their own ro/rw. */
  readonlyRootfs?: boolean;
  /** Docker's rule: rshared when a mount uses shared propagation, rslave for slave (else runc's default). */
  rootfsPropagation?: 'rshared' | 'rslave';
  labels?: Record<string, string>;
}

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Record<'bounding' | 'effective' | 'permitted', string[]>;
  rlimits: Rlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  consoleSize?: { height: number; width: number };
}

/** Docker's default capability set (moby daemon/pkg/oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default mounts (moby daemon/pkg/oci/defaults.go). */
export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  ];
}

/** Docker's device cgroup: deny all, then the standard character devices and pty slaves. */
function deviceRules() {
  const allow = (major: number, minor?: number) => ({ allow: true, type: 'c', major, ...(minor === undefined ? {} : { minor }), access: 'rwm' });
  // null, zero, full, random, urandom, tty, console, ptmx, then every pty slave (major 136).
  return [{ allow: false, access: 'rwm' }, allow(1, 3), allow(1, 5), allow(1, 7), allow(1, 8), allow(1, 9), allow(5, 0), allow(5, 1), allow(5, 2), allow(136)];
}

const CPU_PERIOD = 100_000;

export function resourcesSpec(resources: ResourceLimits | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { devices: deviceRules() };
  if (resources?.memory) out.memory = { limit: resources.memory, swap: resources.memory };
  if (resources?.cpus) out.cpu = { quota: Math.round(resources.cpus * CPU_PERIOD), period: CPU_PERIOD };
  if (resources?.pidsLimit) out.pids = { limit: resources.pidsLimit };
  return out;
}

export function processSpec(input: Pick<SpecInput, 'args' | 'env' | 'cwd' | 'user' | 'tty' | 'rlimits'>): OciProcess {
  // Docker gives non-root users the same bounding set; the kernel drops effective caps on exec for them.
  const caps = DEFAULT_CAPABILITIES;
  return {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid, additionalGids: input.user.additionalGids },
    args: input.args,
    env: withDefaultPath(input.env),
    cwd: input.cwd || '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: input.rlimits,
    noNewPrivileges: false,
    oomScoreAdj: 0,
  };
}

/** Docker adds PATH when the image and user gave none. */
export function withDefaultPath(env: string[]): string[] {
  return env.some((e) => e.startsWith('PATH=')) ? env : [DEFAULT_PATH, ...env];
}

/** Host networking has no network namespace entry; otherwise join the prepared one or get a fresh (lo only). */
function networkNamespace(input: SpecInput): { type: 'network'; path?: string }[] {
  const network = input.network;
  if (network && 'mode' in network) return network.mode === 'host' ? [] : [{ type: 'network' }];
  const path = network ? network.netnsPath : input.netnsPath;
  return [path ? { type: 'network', path } : { type: 'network' }];
}

/** Drops the defaults the user's mounts replace, then adds the user's mounts, parents before children. */
function withUserMounts(mounts: OciMount[], user: OciMount[]) {
  const targets = new Set(user.map((m) => m.destination));
  for (let i = mounts.length - 1; i >= 0; i--) if (targets.has(mounts[i]!.destination)) mounts.splice(i, 1);
  const depth = (m: OciMount) => m.destination.split('/').filter(Boolean).length;
  mounts.push(...[...user].sort((a, b) => depth(a) - depth(b)));
}

export function buildSpec(input: SpecInput): Record<string, unknown> {
  return adaptSpecForRootless(buildRootfulSpec(input));
}

function buildRootfulSpec(input: SpecInput): Record<string, unknown> {
  const mounts = defaultMounts();
  const etc = input.etcFiles ?? {};
  const bindRo = (destination: string, source: string): OciMount => ({ destination, type: 'bind', source, options: ['rbind', 'ro', 'nosuid', 'nodev'] });
  if (etc.resolvConf) mounts.push(bindRo('/etc/resolv.conf', etc.resolvConf));
  if (etc.hostname) mounts.push(bindRo('/etc/hostname', etc.hostname));
  if (etc.hosts) mounts.push(bindRo('/etc/hosts', etc.hosts));
  mounts.push(...(input.extraMounts ?? []));
  if (input.mounts?.length) withUserMounts(mounts, input.mounts);
  return {
    ociVersion: '1.0.2',
    process: processSpec(input),
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    hostname: input.hostname,
    mounts,
    annotations: input.labels ?? {},
    linux: {
      namespaces: [
        { type: 'pid' },
        ...networkNamespace(input),
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
      ],
      ...(input.cgroupsPath ? { cgroupsPath: input.cgroupsPath } : {}),
      ...(input.rootfsPropagation ? { rootfsPropagation: input.rootfsPropagation } : {}),
      resources: resourcesSpec(input.resources),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
