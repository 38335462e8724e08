// The resolved compose project (types in engine/api/compose.ts, shared with the UI) and what turns a
// normalised service into containers: config hashes and docker compose's labels.
import { createHash } from 'node:crypto';
import type { ComposeContainerSpec, ComposeProject, ComposeService } from '../api/compose';
import type { NormalizedService } from './normalize';
import { setOwn, stableStringify } from './obj';

export type { ComposeContainerSpec, ComposeProject, ComposeService };
export type { ComposeDependency, ComposeHealthcheck, ComposeMount, ComposeNetwork, ComposePort, ComposeVolume } from '../api/compose';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  dependsOn: 'com.docker.compose.depends_on',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  /** Ours: a short hash per config key, so a plan can say which keys changed. */
  keyHashes: 'io.flying-dutchman.compose.key-hashes',
} as const;

/** Keys that never force a recreate: scaling, ordering, selection and pull behaviour. */
const NOT_HASHED = new Set(['replicas', 'depends_on', 'profiles', 'pull_policy', 'build']);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function hashService(svc: NormalizedService): { configHash: string; keyHashes: Record<string, string> } {
  const hashed = Object.fromEntries(Object.entries(svc).filter(([k]) => !NOT_HASHED.has(k)));
  const keyHashes: Record<string, string> = {};
  for (const k of Object.keys(hashed).sort()) keyHashes[k] = sha256(stableStringify(hashed[k])).slice(0, 8);
  return { configHash: sha256(stableStringify(hashed)), keyHashes };
}

export const encodeKeyHashes = (h: Record<string, string>) =>
  Object.keys(h)
    .sort()
    .map((k) => `${k}=${h[k]}`)
    .join(',');

export function decodeKeyHashes(label: string | undefined): Record<string, string> | null {
  if (!label) return null;
  const out: Record<string, string> = {};
  for (const part of label.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) setOwn(out, part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** Labels docker compose puts on the networks and volumes it creates, so `down` and other tools find them. */
export const networkLabels = (project: string, key: string, user: Record<string, string>) => ({ ...user, [LABEL.project]: project, [LABEL.network]: key });
export const volumeLabels = (project: string, key: string, user: Record<string, string>) => ({ ...user, [LABEL.project]: project, [LABEL.volume]: key });

/** Services that must start before this one: depends_on, links and `network_mode: service:X`. */
export function dependenciesOf(svc: Pick<ComposeService, 'depends_on' | 'links' | 'network_mode'>): string[] {
  const deps = new Set(Object.keys(svc.depends_on));
  for (const link of svc.links) deps.add(link.split(':')[0]!);
  if (svc.network_mode?.startsWith('service:')) deps.add(svc.network_mode.slice('service:'.length));
  return [...deps];
}

export const containerName = (project: string, svc: Pick<ComposeService, 'name' | 'container_name'>, n: number) =>
  svc.container_name ?? `${project}-${svc.name}-${n}`;

/** The service with its hashes and one container spec per replica, labelled as docker compose labels them. */
export function finishService(
  svc: NormalizedService,
  project: { name: string; workingDir: string; configFiles: string[] },
): ComposeService {
  const { configHash, keyHashes } = hashService(svc);
  const dependsOn = Object.entries(svc.depends_on)
    .map(([d, c]) => `${d}:${c.condition}:${c.restart}`)
    .join(',');
  const containers: ComposeContainerSpec[] = [];
  for (let n = 1; n <= svc.replicas; n++) {
    containers.push({
      name: containerName(project.name, svc, n),
      number: n,
      labels: {
        ...svc.labels,
        [LABEL.project]: project.name,
        [LABEL.service]: svc.name,
        [LABEL.number]: String(n),
        [LABEL.oneoff]: 'False',
        [LABEL.configHash]: configHash,
        [LABEL.workingDir]: project.workingDir,
        [LABEL.configFiles]: project.configFiles.join(','),
        [LABEL.dependsOn]: dependsOn,
        [LABEL.keyHashes]: encodeKeyHashes(keyHashes),
      },
    });
  }
  return { ...svc, config_hash: configHash, key_hashes: keyHashes, containers };
}
