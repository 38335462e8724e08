// cgroup limits for a rootless engine. runc in a user namespace uses its rootless cgroup manager, which fails a
// container whose cgroupsPath or limits it cannot write (verified here: "mkdir /sys/fs/cgroup/cpuset/...:
// permission denied"). So the container runs without a cgroup of its own and its limits are dropped with a
// warning, as rootless docker does without delegation. Delegated cgroup v2 subtrees are not used yet: these
// machines are cgroup v1/hybrid, where nothing can be delegated.
import { insideUserNamespace } from './mode';

let warn: (message: string) => void = (m) => process.stderr.write(`[fd] warning: ${m}\n`);

/** The engine routes these warnings into its log. */
export function setRootlessWarn(fn: (message: string) => void) {
  warn = fn;
}

const LIMIT_KEYS = ['memory', 'cpu', 'pids'] as const;

/** Adjusts a finished OCI spec for runc inside the rootless user namespace; a no-op elsewhere. */
export function adaptSpecForRootless(spec: Record<string, unknown>, inUserNamespace = insideUserNamespace()): Record<string, unknown> {
  if (!inUserNamespace) return spec;
  const linux = spec.linux as { cgroupsPath?: string; resources?: Record<string, unknown> } | undefined;
  if (!linux) return spec;
  delete linux.cgroupsPath;
  const dropped = LIMIT_KEYS.filter((k) => linux.resources?.[k] !== undefined);
  for (const k of dropped) delete linux.resources![k];
  if (dropped.length) {
    warn(`rootless: ${dropped.join(', ')} limits ignored: cgroups are not delegated to this user`);
  }
  return spec;
}
