// What runc inside the rootless user namespace cannot do, adjusted in the finished OCI spec.
// cgroups: runc there uses its rootless cgroup manager, which fails a container whose cgroupsPath or limits it
// cannot write (verified here: "mkdir /sys/fs/cgroup/cpuset/...: permission denied"). So the container runs
// without a cgroup of its own and its limits are dropped with a warning, as rootless docker does without
// delegation. Delegated cgroup v2 subtrees are not used yet: these machines are cgroup v1/hybrid.
import { insideUserNamespace } from './mode';

let warn: (message: string) => void = (m) => process.stderr.write(`[fd] warning: ${m}\n`);

/** The engine routes these warnings into its log. */
export function setRootlessWarn(fn: (message: string) => void) {
  warn = fn;
}

const LIMIT_KEYS = ['memory', 'cpu', 'pids'] as const;

interface SpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** Adjusts a finished OCI spec for runc inside the rootless user namespace; a no-op elsewhere. */
export function adaptSpecForRootless(spec: Record<string, unknown>, inUserNamespace = insideUserNamespace()): Record<string, unknown> {
  if (!inUserNamespace) return spec;
  const linux = spec.linux as { cgroupsPath?: string; resources?: Record<string, unknown>; namespaces?: { type: string }[] } | undefined;
  if (!linux) return spec;
  // sysfs may only be mounted by the owner of the network namespace: with the host's network (owned by the
  // host's root) runc fails with EPERM, so the host's /sys is bind-mounted read-only instead (podman does too).
  if (!linux.namespaces?.some((n) => n.type === 'network') && Array.isArray(spec.mounts)) {
    spec.mounts = (spec.mounts as SpecMount[]).map((m) =>
      m.type === 'sysfs' ? { destination: m.destination, type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] } : m,
    );
  }
  delete linux.cgroupsPath;
  const dropped = LIMIT_KEYS.filter((k) => linux.resources?.[k] !== undefined);
  for (const k of dropped) delete linux.resources![k];
  if (dropped.length) {
    warn(`rootless: ${dropped.join(', ')} limits ignored: cgroups are not delegated to this user`);
  }
  return spec;
}

/**
 * `runc kill --all` walks the container's cgroup, which a rootless container has none of (see above): it fails
 * and the signal is never sent. The container has its own pid namespace, so signalling its init is enough.
 */
export function canSignalAll(inUserNamespace = insideUserNamespace()): boolean {
  return !inUserNamespace;
}
