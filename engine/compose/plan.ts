// What `compose up` would do, computed from the model and what exists, without touching the engine: the
// steps `up` applies in order. Containers are matched by docker compose's labels (project, service,
// container-number); a different config hash means recreate, and the per-key hashes say which keys changed.
import type { ComposePlan, ComposeProject, ExistingContainer, PlanStep } from '../api/compose';
import { ComposeError } from './errors';
import { dependencyOrder } from './graph';
import { LABEL, decodeKeyHashes, dependenciesOf } from './model';

export interface CurrentState {
  /** Containers on the engine (any project: others are ignored). */
  containers: ExistingContainer[];
  /** Engine-side names of networks / volumes that exist; undefined = unknown, so plan to create them. */
  networks?: string[];
  volumes?: string[];
  /** Local image id for a reference, or null when the image is not local; undefined = unknown (pull). */
  imageId?: (ref: string) => string | null;
}

export interface PlanOptions {
  /** Only these services (and, unless noDeps, what they depend on); empty = all. */
  services?: string[];
  noDeps?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  removeOrphans?: boolean;
}

type ContainerStep = Extract<PlanStep, { kind: 'container' }>;

const RUNNING = new Set(['running', 'restarting', 'paused']);

export function planUp(project: ComposeProject, current: CurrentState, options: PlanOptions = {}): ComposePlan {
  const warnings: string[] = [];
  const removals: PlanStep[] = [];
  const steps: PlanStep[] = [];
  const errors: { path: string; message: string }[] = [];
  const selected = selectServices(project, options);
  const mine = current.containers.filter((c) => c.labels[LABEL.project] === project.name && c.labels[LABEL.oneoff] !== 'True');

  // Which existing container stands for which replica; the rest are orphans or surplus.
  const slots = new Map<string, ExistingContainer>();
  const orphans: ExistingContainer[] = [];
  const byNumber = [...mine].sort((a, b) => Number(a.labels[LABEL.number]) - Number(b.labels[LABEL.number]) || a.name.localeCompare(b.name));
  for (const c of byNumber) {
    const service = c.labels[LABEL.service] ?? '';
    const n = Number(c.labels[LABEL.number] ?? '1');
    const svc = project.services[service];
    if (!svc) {
      if (!project.disabled_services.includes(service)) orphans.push(c);
      continue;
    }
    if (!selected.has(service)) continue;
    const key = `${service}#${n}`;
    const removal = (reason: string): ContainerStep => ({ kind: 'container', action: 'remove', service, number: n, name: c.name, id: c.id, reasons: [reason], level: 0 });
    if (!Number.isInteger(n) || n < 1 || n > svc.replicas) removals.push(removal(`scale down to ${svc.replicas}`));
    else if (slots.has(key)) removals.push(removal(`duplicate container number ${n}`));
    else slots.set(key, c);
  }
  if (orphans.length) {
    if (options.removeOrphans) {
      for (const c of orphans) {
        removals.push({ kind: 'container', action: 'remove', service: c.labels[LABEL.service] ?? '', number: Number(c.labels[LABEL.number] ?? 0) || 0, name: c.name, id: c.id, reasons: [`orphan: service "${c.labels[LABEL.service] ?? ''}" is not in the project`], level: 0 });
      }
    } else {
      warnings.push(`Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, run with --remove-orphans to clean them up.`);
    }
  }

  // Networks and volumes the enabled services use.
  const chosen = Object.values(project.services).filter((s) => selected.has(s.name));
  const usedNetworks = new Set(chosen.flatMap((s) => Object.keys(s.networks)));
  for (const [key, net] of Object.entries(project.networks)) {
    if (!usedNetworks.has(key)) continue;
    const exists = current.networks?.includes(net.name) ?? false;
    if (net.external) {
      if (current.networks && !exists) errors.push({ path: `networks.${key}`, message: `network ${net.name} declared as external, but could not be found: create it first` });
      continue;
    }
    steps.push({ kind: 'network', action: exists ? 'keep' : 'create', key, name: net.name });
  }
  const usedVolumes = new Set(chosen.flatMap((s) => s.volumes.filter((m) => m.type === 'volume' && m.source).map((m) => m.source!)));
  for (const [key, vol] of Object.entries(project.volumes)) {
    if (!usedVolumes.has(key)) continue;
    const exists = current.volumes?.includes(vol.name) ?? false;
    if (vol.external) {
      if (current.volumes && !exists) errors.push({ path: `volumes.${key}`, message: `volume ${vol.name} declared as external, but could not be found: create it first` });
      continue;
    }
    steps.push({ kind: 'volume', action: exists ? 'keep' : 'create', key, name: vol.name });
  }

  // Images to pull, one step per reference.
  const pulls = new Map<string, { services: string[]; reason: string }>();
  for (const name of project.order) {
    const svc = project.services[name]!;
    if (!selected.has(name) || !svc.image || svc.pull_policy === 'build') continue;
    const local = current.imageId ? current.imageId(svc.image) : null;
    let reason: string | null = null;
    if (svc.pull_policy === 'always') reason = 'pull_policy: always';
    else if (local === null) {
      if (svc.pull_policy === 'never') errors.push({ path: `services.${name}.image`, message: `image ${svc.image} is not local and pull_policy is never` });
      else reason = current.imageId ? 'not found locally' : 'missing unless already local';
    }
    if (!reason) continue;
    const entry = pulls.get(svc.image) ?? { services: [], reason };
    entry.services.push(name);
    pulls.set(svc.image, entry);
  }
  for (const [image, p] of pulls) steps.push({ kind: 'image', action: 'pull', image, services: p.services, reason: p.reason });

  if (errors.length) throw new ComposeError(errors.map((e) => ({ file: null, line: null, column: null, ...e })));

  // Containers, dependencies first.
  const deps = new Map(Object.entries(project.services).map(([n, s]) => [n, dependenciesOf(s)]));
  const { level } = dependencyOrder(deps);
  const recreated = new Set<string>();
  for (const name of project.order) {
    if (!selected.has(name)) continue;
    const svc = project.services[name]!;
    const lvl = level.get(name) ?? 0;
    const restartFor = Object.entries(svc.depends_on)
      .filter(([d, c]) => c.restart && recreated.has(d))
      .map(([d]) => d);
    for (const spec of svc.containers) {
      const existing = slots.get(`${name}#${spec.number}`);
      const step = (action: ContainerStep['action'], reasons: string[]): ContainerStep => ({
        kind: 'container',
        action,
        service: name,
        number: spec.number,
        name: spec.name,
        id: existing?.id ?? null,
        reasons,
        level: lvl,
      });
      if (!existing) {
        steps.push(step('create', ['new']));
        recreated.add(name);
        continue;
      }
      const why = recreateReasons(svc, existing, current, options);
      if (why.length) {
        steps.push(step('recreate', why));
        recreated.add(name);
      } else if (!RUNNING.has(existing.state)) steps.push(step('start', [`container is ${existing.state}`]));
      else if (restartFor.length) steps.push(step('restart', restartFor.map((d) => `dependency "${d}" is recreated (depends_on restart: true)`)));
      else steps.push(step('keep', ['up to date']));
    }
  }
  return { project: project.name, steps: [...removals, ...steps], warnings };
}

/** The services a plan covers: the targets plus everything they need started first. */
function selectServices(project: ComposeProject, options: PlanOptions): Set<string> {
  const targets = options.services?.length ? options.services : Object.keys(project.services);
  const unknown = targets.filter((t) => !project.services[t]);
  if (unknown.length) throw new ComposeError(unknown.map((t) => ({ file: null, line: null, column: null, path: '', message: `no such service: ${t}` })));
  const out = new Set<string>();
  const add = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    if (!options.noDeps) for (const d of dependenciesOf(project.services[name]!)) if (project.services[d]) add(d);
  };
  targets.forEach(add);
  return out;
}

function recreateReasons(svc: ComposeProject['services'][string], c: ExistingContainer, current: CurrentState, options: PlanOptions): string[] {
  if (options.forceRecreate) return ['--force-recreate'];
  if (options.noRecreate) return [];
  const reasons: string[] = [];
  if (c.labels[LABEL.configHash] !== svc.config_hash) {
    const old = decodeKeyHashes(c.labels[LABEL.keyHashes]);
    if (old) {
      const keys = [...new Set([...Object.keys(old), ...Object.keys(svc.key_hashes)])].filter((k) => old[k] !== svc.key_hashes[k]).sort();
      reasons.push(keys.length ? `changed: ${keys.join(', ')}` : 'config changed');
    } else reasons.push('config changed');
  }
  if (svc.image && c.imageId && current.imageId) {
    const id = current.imageId(svc.image);
    if (id && id !== c.imageId) reasons.push(`image ${svc.image} changed`);
  }
  return reasons;
}

export interface DownOptions {
  /** `down -v`: also remove the project's named volumes (never external ones). */
  volumes?: boolean;
  removeOrphans?: boolean;
}

/**
 * What `compose down` would do: stop running containers dependents first, remove every container of the
 * project's services (profiles included), then its networks, and with `volumes` its named volumes.
 */
export function planDown(project: ComposeProject, current: CurrentState, options: DownOptions = {}): ComposePlan {
  const warnings: string[] = [];
  const known = new Set([...Object.keys(project.services), ...project.disabled_services]);
  const mine = current.containers.filter((c) => c.labels[LABEL.project] === project.name);
  const deps = new Map(Object.entries(project.services).map(([n, s]) => [n, dependenciesOf(s)]));
  const { level } = dependencyOrder(deps);
  const depth = Math.max(0, ...level.values());
  const orphans = mine.filter((c) => !known.has(c.labels[LABEL.service] ?? '') && c.labels[LABEL.oneoff] !== 'True');
  if (orphans.length && !options.removeOrphans) {
    warnings.push(`Found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project. Run with --remove-orphans to remove them too.`);
  }
  const leaving = mine.filter((c) => known.has(c.labels[LABEL.service] ?? '') || (options.removeOrphans && orphans.includes(c)));
  // Dependents first: the deepest level stops at step level 0.
  const downLevel = (c: ExistingContainer) => depth - (level.get(c.labels[LABEL.service] ?? '') ?? depth);
  const sorted = [...leaving].sort((a, b) => downLevel(a) - downLevel(b) || a.name.localeCompare(b.name));
  const step = (c: ExistingContainer, action: 'stop' | 'remove', reason: string): ContainerStep => ({
    kind: 'container',
    action,
    service: c.labels[LABEL.service] ?? '',
    number: Number(c.labels[LABEL.number] ?? 0) || 0,
    name: c.name,
    id: c.id,
    reasons: [reason],
    level: downLevel(c),
  });
  const steps: PlanStep[] = [];
  for (const c of sorted) if (RUNNING.has(c.state)) steps.push(step(c, 'stop', 'down'));
  for (const c of sorted) steps.push(step(c, 'remove', orphans.includes(c) ? 'orphan' : 'down'));
  for (const [key, net] of Object.entries(project.networks)) {
    if (net.external) continue;
    if (current.networks && !current.networks.includes(net.name)) continue;
    steps.push({ kind: 'network', action: 'remove', key, name: net.name });
  }
  if (options.volumes) {
    for (const [key, vol] of Object.entries(project.volumes)) {
      if (vol.external) continue;
      if (current.volumes && !current.volumes.includes(vol.name)) continue;
      steps.push({ kind: 'volume', action: 'remove', key, name: vol.name });
    }
  }
  return { project: project.name, steps, warnings };
}
