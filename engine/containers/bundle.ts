// Prepares a container's bundle before conmon runs it: the root filesystem (overlay for images, the directory
// itself for --rootfs), the /etc files it gets, and config.json.
import fs from 'node:fs';
import os from 'node:os';
import { buildSpec, type OciMount } from '../runtime/spec';
import { resolveUser } from '../runtime/users';
import { defaultRlimits } from '../runtime/host';
import { mountOverlay, unmountOverlay } from '../runtime/overlay';
import type { ContainerLayout } from './layout';
import type { ContainerRecord } from './record';
import { rootfsPropagationFor } from './mounts';
import { specNetwork } from './networking';
import type { PrepareResult } from '../network';

export const CGROUP_PARENT = '/flying-dutchman';

export async function prepareRootfs(rec: ContainerRecord, layout: ContainerLayout): Promise<string> {
  if (rec.config.rootfs) return rec.config.rootfs;
  // An --rm container's writable layer goes with it: no need to sync it to disk on the way out.
  return mountOverlay(layout.dir, rec.resolved.lowerDirs, { volatile: rec.config.autoRemove });
}

export async function releaseRootfs(rec: ContainerRecord, layout: ContainerLayout) {
  if (!rec.config.rootfs) await unmountOverlay(layout.dir);
}

export function hostnameOf(rec: ContainerRecord): string {
  // Docker's rule: host networking shares the host's name too.
  return rec.config.hostname || (rec.config.networkMode === 'host' ? os.hostname() : rec.id.slice(0, 12));
}

function hostResolvConf(): string {
  try {
    const text = fs.readFileSync('/etc/resolv.conf', 'utf8');
    // Loopback resolvers of the host are unreachable from the container's own network namespace.
    return text
      .split('\n')
      .filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l))
      .join('\n');
  } catch {
    return '';
  }
}

/** `network`: what ctx.networks.prepare set up (its /etc files and namespace); null = a fresh netns with lo only. */
export function writeBundle(rec: ContainerRecord, layout: ContainerLayout, rootfs: string, tty: boolean, network: PrepareResult | null = null, mounts: OciMount[] = []) {
  const hostname = hostnameOf(rec);
  fs.writeFileSync(layout.hostname, `${hostname}\n`);
  fs.writeFileSync(layout.hosts, network?.hosts ?? `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`);
  fs.writeFileSync(layout.resolvConf, network?.resolvConf ?? hostResolvConf());
  const user = resolveUser(rootfs, rec.resolved.user);
  const env = [...rec.resolved.env];
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${hostname}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
  if (tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const spec = buildSpec({
    rootfs,
    args: rec.resolved.args,
    env,
    cwd: rec.resolved.workingDir || '/',
    user,
    tty,
    hostname,
    rlimits: defaultRlimits(),
    resources: rec.config.resources,
    cgroupsPath: `${CGROUP_PARENT}/${rec.id}`,
    etcFiles: { hosts: layout.hosts, hostname: layout.hostname, resolvConf: layout.resolvConf },
    labels: rec.config.labels,
    mounts,
    readonlyRootfs: rec.config.readOnlyRootfs,
    rootfsPropagation: rootfsPropagationFor(mounts),
    ...(network ? { network: specNetwork(network) } : {}),
  });
  fs.writeFileSync(layout.configJson, JSON.stringify(spec, null, 1));
}
