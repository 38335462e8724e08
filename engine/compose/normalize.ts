// Validated compose value → the canonical model: every service with explicit ports, mounts, environment
// and healthcheck in one form, networks and volumes with their engine-side names, profiles applied,
// dependencies checked (unknown services, cycles) and ordered.
import os from 'node:os';
import path from 'node:path';
import type { ComposeDependency, ComposeHealthcheck, ComposeMount, ComposeNetwork, ComposeService, ComposeVolume } from '../api/compose';
import { parseDotenv } from './dotenv';
import type { IssueList, KeyPath } from './errors';
import { dependencyOrder, findCycle } from './graph';
import { listToMapping } from './merge';
import { isMapping, setOwn } from './obj';
import type { RawProject, RawService } from './schema';
import { IGNORED_SERVICE_KEYS } from './schema';
import { parsePort, parseVolume } from './syntax';
import { parseBytes, parseDuration, splitShellWords } from './units';

/** A service before hashes and containers are attached. */
export type NormalizedService = Omit<ComposeService, 'config_hash' | 'key_hashes' | 'containers'>;

export interface NormalizeContext {
  projectName: string;
  projectDir: string;
  /** Shell environment over `.env`: what `environment: [FOO]` and env files look up. */
  env: Map<string, string>;
  profiles: string[];
  /** Services named on the command line: enabled whatever their profiles. */
  targets: string[];
  issues: IssueList;
  warnings: string[];
  readFile(absPath: string): string | null;
  /** Reports env-file problems at their own file and line. */
  envFileIssue(file: string, line: number, message: string, at: KeyPath): void;
  /** Build hook: null = do not check (config); otherwise true when the image exists locally. */
  imageExists: ((ref: string) => boolean) | null;
}

export interface NormalizedProject {
  services: Record<string, NormalizedService>;
  disabled: string[];
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, ComposeVolume>;
  order: string[];
  levels: Map<string, number>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

function toStringMap(value: unknown, key: string): Record<string, string | null> {
  const m = listToMapping(key, value) ?? {};
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(m)) setOwn(out, k, v === null || v === undefined ? null : str(v));
  return out;
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) setOwn(out, k, v);
  return out;
}

function resolveHostPath(p: string, ctx: NormalizeContext): string {
  if (p === '~' || p.startsWith('~/')) return path.join(ctx.env.get('HOME') ?? os.homedir(), p.slice(1));
  return path.resolve(ctx.projectDir, p);
}

function commandOf(value: unknown, at: KeyPath, ctx: NormalizeContext): string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(str);
  const r = splitShellWords(str(value));
  if ('error' in r) {
    ctx.issues.add(at, r.error);
    return null;
  }
  return r.words;
}

function environmentOf(name: string, raw: RawService, ctx: NormalizeContext): Record<string, string> {
  const env = new Map<string, string>();
  const files = raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
  files.forEach((entry, i) => {
    const at: KeyPath = ['services', name, 'env_file', ...(Array.isArray(raw.env_file) ? [i] : [])];
    const file = typeof entry === 'string' ? entry : entry.path;
    const required = typeof entry === 'string' ? true : entry.required !== false;
    const abs = resolveHostPath(file, ctx);
    const text = ctx.readFile(abs);
    if (text === null) {
      if (required) ctx.issues.add(at, `env file ${abs} not found: create it or mark it required: false`);
      return;
    }
    const parsed = parseDotenv(text, (k) => ctx.env.get(k));
    for (const issue of parsed.issues) ctx.envFileIssue(abs, issue.line, issue.message, at);
    for (const [k, v] of parsed.values) env.set(k, v);
  });
  for (const [k, v] of Object.entries(toStringMap(raw.environment, 'environment'))) {
    // `FOO` / `FOO:` without a value passes the variable through from the environment, or leaves it unset.
    const value = v ?? ctx.env.get(k);
    if (value === undefined) env.delete(k);
    else env.set(k, value);
  }
  return sortedRecord(env);
}

function durationMs(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const r = parseDuration(v);
  return 'ms' in r ? r.ms : null;
}

function healthcheckOf(name: string, raw: RawService, ctx: NormalizeContext): ComposeHealthcheck | null {
  const h = raw.healthcheck;
  if (!h) return null;
  let test: string[] = [];
  if (h.disable) test = ['NONE'];
  else if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test)) {
    test = h.test;
    if (!['NONE', 'CMD', 'CMD-SHELL'].includes(test[0] ?? '')) {
      ctx.issues.add(['services', name, 'healthcheck', 'test'], 'a healthcheck test list starts with "CMD", "CMD-SHELL" or "NONE"');
    }
  }
  return {
    test,
    interval_ms: durationMs(h.interval),
    timeout_ms: durationMs(h.timeout),
    retries: h.retries ?? null,
    start_period_ms: durationMs(h.start_period),
    start_interval_ms: durationMs(h.start_interval),
  };
}

function restartOf(raw: RawService): string {
  if (raw.restart) return raw.restart;
  const policy = raw.deploy?.restart_policy;
  if (policy?.condition === 'any') return 'always';
  if (policy?.condition === 'on-failure') return policy.max_attempts ? `on-failure:${policy.max_attempts}` : 'on-failure';
  return 'no';
}

function normalizeService(name: string, raw: RawService, project: RawProject, ctx: NormalizeContext): NormalizedService {
  const at = (...p: (string | number)[]): KeyPath => ['services', name, ...p];
  const issues = ctx.issues;
  let build: NormalizedService['build'] = null;
  if (raw.build !== undefined) {
    const context = typeof raw.build === 'string' ? raw.build : (raw.build.context ?? '.');
    const remote = /^[a-z]+:\/\//i.test(context) || context.startsWith('git@');
    build = { context: remote ? context : resolveHostPath(context, ctx), dockerfile: typeof raw.build === 'string' ? null : (raw.build.dockerfile ?? null) };
  }
  const image = raw.image ?? (build ? `${ctx.projectName}-${name}` : null);
  if (!raw.image && !build) issues.add(at(), `service "${name}" has neither an image nor a build context: add image:`);
  if (build && ctx.imageExists && !(image && ctx.imageExists(image))) {
    issues.add(at('build'), `build: is not supported yet; pull or tag the image first${image ? ` (the service uses image "${image}")` : ''}`);
  }

  const ports = (raw.ports ?? []).flatMap((p) => {
    const r = parsePort(p);
    return r.ok ? r.value : [];
  });

  const declaredVolumes = project.volumes ?? {};
  const volumes: ComposeMount[] = [];
  (raw.volumes ?? []).forEach((v, i) => {
    const r = parseVolume(v);
    if (!r.ok) return;
    const m = r.value;
    if (m.type === 'bind' && m.source) m.source = resolveHostPath(m.source, ctx);
    if (m.type === 'volume' && m.source && !(m.source in declaredVolumes)) {
      issues.add(at('volumes', i), `service "${name}" uses undefined volume "${m.source}": declare it under the top-level volumes:`);
    }
    volumes.push(m);
  });
  const targets = new Set<string>();
  volumes.forEach((m, i) => {
    if (targets.has(m.target)) issues.add(at('volumes', i), `duplicate mount target "${m.target}"`);
    targets.add(m.target);
  });

  const declaredNetworks = project.networks ?? {};
  const networks: NormalizedService['networks'] = {};
  if (raw.network_mode !== undefined) {
    if (raw.networks !== undefined) issues.add(at('networks'), 'networks cannot be combined with network_mode');
  } else {
    const m = raw.networks === undefined ? { default: null } : (listToMapping('networks', raw.networks) ?? {});
    for (const [net, cfg] of Object.entries(m)) {
      if (net !== 'default' && !(net in declaredNetworks)) {
        issues.add(at('networks', Array.isArray(raw.networks) ? raw.networks.indexOf(net) : net), `service "${name}" uses undefined network "${net}": declare it under the top-level networks:`);
      }
      const c = isMapping(cfg) ? cfg : {};
      setOwn(networks, net, {
        aliases: Array.isArray(c.aliases) ? (c.aliases as string[]) : [],
        ipv4_address: typeof c.ipv4_address === 'string' ? c.ipv4_address : null,
        ipv6_address: typeof c.ipv6_address === 'string' ? c.ipv6_address : null,
        priority: typeof c.priority === 'number' ? c.priority : null,
      });
    }
  }

  const dependsOn: Record<string, ComposeDependency> = {};
  if (Array.isArray(raw.depends_on)) {
    for (const d of raw.depends_on) setOwn(dependsOn, d, { condition: 'service_started', restart: false, required: true });
  } else if (raw.depends_on) {
    for (const [d, cfg] of Object.entries(raw.depends_on)) {
      setOwn(dependsOn, d, { condition: cfg?.condition ?? 'service_started', restart: cfg?.restart ?? false, required: cfg?.required ?? true });
    }
  }

  const scale = raw.scale;
  const deployReplicas = raw.deploy?.replicas;
  if (scale !== undefined && deployReplicas !== undefined && scale !== deployReplicas) {
    issues.add(at('scale'), `scale (${scale}) and deploy.replicas (${deployReplicas}) disagree: set only one`);
  }
  const replicas = scale ?? deployReplicas ?? 1;
  if (raw.container_name && replicas > 1) {
    issues.add(at('container_name'), `container_name "${raw.container_name}" cannot be used with ${replicas} replicas: container names must be unique`);
  }

  const limits = raw.deploy?.resources?.limits;
  const memRaw = raw.mem_limit ?? limits?.memory;
  const mem = memRaw === undefined ? null : parseBytes(memRaw);
  const shm = raw.shm_size === undefined ? null : parseBytes(raw.shm_size);
  const cpusRaw = raw.cpus ?? limits?.cpus;

  for (const key of IGNORED_SERVICE_KEYS) {
    if (raw[key] !== undefined) ctx.warnings.push(`service "${name}": ${key} is not applied by this engine yet and is ignored`);
  }

  const ulimits: NormalizedService['ulimits'] = {};
  for (const [k, v] of Object.entries(raw.ulimits ?? {})) setOwn(ulimits, k, typeof v === 'number' ? { soft: v, hard: v } : { soft: v.soft, hard: v.hard });

  const extraHosts = Object.entries(toStringMap(raw.extra_hosts, 'extra_hosts')).map(([h, ip]) => `${h}:${ip ?? ''}`);
  const logging = raw.logging
    ? { driver: raw.logging.driver ?? null, options: Object.fromEntries(Object.entries(raw.logging.options ?? {}).map(([k, v]) => [k, str(v)])) }
    : null;

  return {
    name,
    image,
    build,
    pull_policy: raw.pull_policy === 'if_not_present' ? 'missing' : (raw.pull_policy ?? (build && !raw.image ? 'build' : 'missing')),
    command: commandOf(raw.command, at('command'), ctx),
    entrypoint: commandOf(raw.entrypoint, at('entrypoint'), ctx),
    environment: environmentOf(name, raw, ctx),
    ports,
    expose: (raw.expose ?? []).map(str),
    volumes,
    networks: sortedRecord(Object.entries(networks)),
    network_mode: raw.network_mode ?? null,
    depends_on: sortedRecord(Object.entries(dependsOn)),
    healthcheck: healthcheckOf(name, raw, ctx),
    restart: restartOf(raw),
    replicas,
    labels: sortedRecord(Object.entries(toStringMap(raw.labels, 'labels')).map(([k, v]) => [k, v ?? ''])),
    working_dir: raw.working_dir ?? null,
    user: raw.user === undefined ? null : str(raw.user),
    hostname: raw.hostname ?? null,
    domainname: raw.domainname ?? null,
    tty: raw.tty ?? false,
    stdin_open: raw.stdin_open ?? false,
    stop_signal: raw.stop_signal ?? null,
    stop_grace_period_ms: durationMs(raw.stop_grace_period ?? raw.stop_timeout),
    init: raw.init ?? null,
    read_only: raw.read_only ?? false,
    privileged: raw.privileged ?? false,
    cap_add: raw.cap_add ?? [],
    cap_drop: raw.cap_drop ?? [],
    tmpfs: raw.tmpfs === undefined ? [] : Array.isArray(raw.tmpfs) ? raw.tmpfs : [raw.tmpfs],
    ulimits: sortedRecord(Object.entries(ulimits)),
    mem_limit: mem && 'bytes' in mem ? mem.bytes : null,
    cpus: cpusRaw === undefined ? null : Number(cpusRaw),
    shm_size: shm && 'bytes' in shm ? shm.bytes : null,
    extra_hosts: extraHosts,
    links: raw.links ?? [],
    dns: raw.dns === undefined ? [] : Array.isArray(raw.dns) ? raw.dns : [raw.dns],
    sysctls: sortedRecord(Object.entries(toStringMap(raw.sysctls, 'sysctls')).map(([k, v]) => [k, v ?? ''])),
    logging,
    platform: raw.platform ?? null,
    container_name: raw.container_name ?? null,
    profiles: raw.profiles ?? [],
  };
}

function externalName(external: boolean | { name?: string } | undefined): string | undefined {
  return isMapping(external) ? external.name : undefined;
}

const labelsOf = (v: unknown) => sortedRecord(Object.entries(toStringMap(v, 'labels')).map(([k, x]) => [k, x ?? '']));
const optsOf = (v: Record<string, unknown> | undefined) => sortedRecord(Object.entries(v ?? {}).map(([k, x]) => [k, str(x)]));

export function normalizeProject(raw: RawProject, ctx: NormalizeContext): NormalizedProject {
  const active = new Set(ctx.profiles);
  const all = raw.services ?? {};
  const targeted = new Set(ctx.targets);
  for (const t of ctx.targets) if (!(t in all)) ctx.issues.add(['services'], `no such service: ${t}`);
  const enabled = (name: string, svc: RawService) =>
    targeted.has(name) || !svc.profiles?.length || active.has('*') || svc.profiles.some((p) => active.has(p));
  if (!Object.keys(all).length) ctx.issues.add(['services'], 'no services defined: add at least one under services:');
  const services: Record<string, NormalizedService> = {};
  const disabled: string[] = [];
  for (const name of Object.keys(all).sort()) {
    const svc = all[name]!;
    if (!enabled(name, svc)) {
      disabled.push(name);
      continue;
    }
    setOwn(services, name, normalizeService(name, svc, raw, ctx));
  }

  // Dependencies: unknown and disabled services, then cycles.
  const deps = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(services)) {
    const list: string[] = [];
    for (const [dep, d] of Object.entries(svc.depends_on)) {
      const at: KeyPath = ['services', name, 'depends_on', ...(Array.isArray(all[name]!.depends_on) ? [(all[name]!.depends_on as string[]).indexOf(dep)] : [dep])];
      if (!(dep in all)) ctx.issues.add(at, `service "${name}" depends on undefined service "${dep}"`);
      else if (!(dep in services)) {
        if (d.required) {
          const profiles = all[dep]!.profiles ?? [];
          ctx.issues.add(at, `service "${name}" depends on "${dep}", which is disabled by profiles: enable it with --profile ${profiles[0] ?? ''}`);
        } else {
          ctx.warnings.push(`service "${name}": optional dependency "${dep}" is disabled by profiles and skipped`);
          delete svc.depends_on[dep];
        }
      } else list.push(dep);
    }
    // `links` and `network_mode: service:X` also need X started first (dependenciesOf says the same).
    for (const link of svc.links) {
      const dep = link.split(':')[0]!;
      if (!(dep in services)) ctx.issues.add(['services', name, 'links'], `service "${name}" links to undefined or disabled service "${dep}"`);
      else if (!list.includes(dep)) list.push(dep);
    }
    const mode = svc.network_mode;
    if (mode?.startsWith('service:')) {
      const dep = mode.slice('service:'.length);
      if (!(dep in services)) ctx.issues.add(['services', name, 'network_mode'], `network_mode uses undefined or disabled service "${dep}"`);
      else if (!list.includes(dep)) list.push(dep);
    }
    deps.set(name, list);
  }
  const cycle = findCycle(deps);
  if (cycle) ctx.issues.add(['services', cycle[0]!, 'depends_on'], `dependency cycle: ${cycle.join(' -> ')}`);
  const { order, level } = cycle ? { order: Object.keys(services), level: new Map<string, number>() } : dependencyOrder(deps);

  // Networks: the declared ones plus the implicit `default` when a service uses it.
  const networks: Record<string, ComposeNetwork> = {};
  const declared = { ...(raw.networks ?? {}) } as NonNullable<RawProject['networks']>;
  if (Object.values(services).some((s) => 'default' in s.networks) && !('default' in declared)) declared.default = null;
  for (const key of Object.keys(declared).sort()) {
    const n = declared[key] ?? {};
    const external = n.external !== undefined && n.external !== false;
    setOwn(networks, key, {
      name: externalName(n.external) ?? n.name ?? (external ? key : `${ctx.projectName}_${key}`),
      external,
      driver: n.driver ?? null,
      driver_opts: optsOf(n.driver_opts),
      labels: labelsOf(n.labels),
      internal: n.internal ?? false,
      attachable: n.attachable ?? false,
      enable_ipv6: n.enable_ipv6 ?? false,
      ipam: n.ipam ?? null,
    });
  }
  const volumes: Record<string, ComposeVolume> = {};
  for (const key of Object.keys(raw.volumes ?? {}).sort()) {
    const v = raw.volumes![key] ?? {};
    const external = v.external !== undefined && v.external !== false;
    setOwn(volumes, key, {
      name: externalName(v.external) ?? v.name ?? (external ? key : `${ctx.projectName}_${key}`),
      external,
      driver: v.driver ?? null,
      driver_opts: optsOf(v.driver_opts),
      labels: labelsOf(v.labels),
    });
  }

  // Container names are global on the engine: two services cannot claim the same one.
  const claimed = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (!svc.container_name) continue;
    const owner = claimed.get(svc.container_name);
    if (owner) ctx.issues.add(['services', name, 'container_name'], `container_name "${svc.container_name}" is also used by service "${owner}"`);
    claimed.set(svc.container_name, name);
  }

  // Two services publishing the same host port would fail at start: refuse before anything is created.
  const published = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    for (const p of svc.ports) {
      if (!p.published || p.published.includes('-')) continue;
      const key = `${p.host_ip ?? '0.0.0.0'}:${p.published}/${p.protocol}`;
      const owner = published.get(key);
      if (owner && owner !== name) ctx.issues.add(['services', name, 'ports'], `port ${p.published}/${p.protocol} is also published by service "${owner}"`);
      else if (svc.replicas > 1) ctx.issues.add(['services', name, 'ports'], `port ${p.published} cannot be published by ${svc.replicas} replicas: use a range or drop the host port`);
      published.set(key, name);
    }
  }

  return { services, disabled, networks, volumes, order, levels: level };
}
