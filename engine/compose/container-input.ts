// A compose service (one replica) as a containers.create request: docker compose's labels, the project's
// networks with the service name as alias, ports, mounts, health check, restart policy and limits. Keys the
// engine has no counterpart for yet come back as warnings, never silently dropped.
import type { ContainerCreateInput, HealthConfig, Mount, PortBinding } from '../api/containers';
import type { ComposeContainerSpec, ComposeProject, ComposeService } from '../api/compose';
import { invalid } from '../api/errors';

export interface MappedContainer {
  input: ContainerCreateInput;
  warnings: string[];
}

export function restartPolicy(text: string): NonNullable<ContainerCreateInput['restartPolicy']> {
  const [name, count] = text.split(':', 2);
  if (name === 'on-failure') return { name, maximumRetryCount: count ? Number(count) || 0 : 0 };
  if (name === 'always' || name === 'unless-stopped') return { name, maximumRetryCount: 0 };
  return { name: 'no', maximumRetryCount: 0 };
}

function ports(svc: ComposeService): PortBinding[] {
  return svc.ports.map((p) => {
    if (p.protocol === 'sctp') throw invalid(`service "${svc.name}": sctp ports are not supported: use tcp or udp`);
    const out: PortBinding = { hostIp: p.host_ip ?? '', hostPort: 0, containerPort: p.target, protocol: p.protocol };
    if (p.published) {
      // A host range for one container port (`8000-8010:80`): the first port of it.
      out.hostPort = Number(p.published.split('-')[0]);
    }
    return out;
  });
}

function mounts(project: ComposeProject, svc: ComposeService): Mount[] {
  const out: Mount[] = [];
  for (const m of svc.volumes) {
    if (m.type === 'volume') {
      const vol = m.source ? project.volumes[m.source] : undefined;
      out.push({ type: 'volume', source: vol ? vol.name : (m.source ?? ''), target: m.target, readOnly: m.read_only, createHostPath: false, noCopy: m.volume?.nocopy ?? false });
    } else if (m.type === 'bind') {
      const propagation = m.bind?.propagation as Mount['bindPropagation'] | null | undefined;
      out.push({
        type: 'bind',
        source: m.source ?? '',
        target: m.target,
        readOnly: m.read_only,
        createHostPath: m.bind?.create_host_path ?? true,
        noCopy: false,
        ...(propagation ? { bindPropagation: propagation } : {}),
      });
    } else {
      out.push({
        type: 'tmpfs',
        source: '',
        target: m.target,
        readOnly: m.read_only,
        createHostPath: false,
        noCopy: false,
        ...(m.tmpfs?.size ? { tmpfsSizeBytes: m.tmpfs.size } : {}),
        ...(m.tmpfs?.mode != null ? { tmpfsMode: m.tmpfs.mode } : {}),
      });
    }
  }
  for (const t of svc.tmpfs) {
    const [target, opts = ''] = t.split(':', 2);
    const size = /(?:^|,)size=(\d+)([kmg]?)/i.exec(opts);
    const mult = size ? ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[size[2]!.toLowerCase()]! : 1;
    out.push({ type: 'tmpfs', source: '', target: target!, readOnly: false, createHostPath: false, noCopy: false, ...(size ? { tmpfsSizeBytes: Number(size[1]) * mult } : {}) });
  }
  return out;
}

function healthcheck(svc: ComposeService): Partial<HealthConfig> & { test: string[] } | undefined {
  const h = svc.healthcheck;
  // No test: the image's HEALTHCHECK applies (its timings are not merged, as the engine keeps one config).
  if (!h || h.test.length === 0) return undefined;
  if (h.test[0] === 'NONE') return { test: ['NONE'] };
  return {
    test: h.test,
    ...(h.interval_ms ? { intervalMs: Math.round(h.interval_ms) } : {}),
    ...(h.timeout_ms ? { timeoutMs: Math.round(h.timeout_ms) } : {}),
    ...(h.start_period_ms != null ? { startPeriodMs: Math.round(h.start_period_ms) } : {}),
    ...(h.retries ? { retries: h.retries } : {}),
  };
}

/** Keys whose effect the engine cannot give yet: each non-default one is named in a warning. */
const UNSUPPORTED: [keyof ComposeService, (svc: ComposeService) => boolean][] = [
  ['privileged', (s) => s.privileged],
  ['cap_add', (s) => s.cap_add.length > 0],
  ['cap_drop', (s) => s.cap_drop.length > 0],
  ['sysctls', (s) => Object.keys(s.sysctls).length > 0],
  ['ulimits', (s) => Object.keys(s.ulimits).length > 0],
  ['extra_hosts', (s) => s.extra_hosts.length > 0],
  ['dns', (s) => s.dns.length > 0],
  ['init', (s) => s.init === true],
  ['shm_size', (s) => s.shm_size != null],
  ['logging', (s) => s.logging?.driver != null && s.logging.driver !== 'json-file' && s.logging.driver !== 'k8s-file'],
];

/** `network_mode` values the engine takes: host, none, bridge or a network name (checked before anything is created). */
function networkMode(svc: ComposeService, mode: string): string {
  if (mode.startsWith('service:') || mode.startsWith('container:')) {
    throw invalid(`service "${svc.name}": network_mode "${mode}" (sharing another container's network) is not supported yet: use a network`);
  }
  return mode;
}

export function containerInput(project: ComposeProject, svc: ComposeService, spec: ComposeContainerSpec): MappedContainer {
  if (!svc.image) throw invalid(`service "${svc.name}" has no image: building images is not supported, give it an image`);
  const warnings = UNSUPPORTED.filter(([, set]) => set(svc)).map(([key]) => `service "${svc.name}": ${String(key)} is not supported by this engine yet and is ignored`);
  const input: ContainerCreateInput = {
    name: spec.name,
    image: svc.image,
    env: Object.entries(svc.environment).map(([k, v]) => `${k}=${v}`),
    labels: spec.labels,
    tty: svc.tty,
    openStdin: svc.stdin_open,
    restartPolicy: restartPolicy(svc.restart),
    ports: ports(svc),
    mounts: mounts(project, svc),
    readOnlyRootfs: svc.read_only,
  };
  if (svc.command) input.cmd = svc.command;
  if (svc.entrypoint) input.entrypoint = svc.entrypoint;
  if (svc.working_dir) input.workingDir = svc.working_dir;
  if (svc.user) input.user = svc.user;
  if (svc.hostname) input.hostname = svc.hostname;
  if (svc.stop_signal) input.stopSignal = svc.stop_signal;
  if (svc.stop_grace_period_ms != null) input.stopTimeout = Math.ceil(svc.stop_grace_period_ms / 1000);
  const resources: NonNullable<ContainerCreateInput['resources']> = {};
  if (svc.mem_limit) resources.memory = Math.round(svc.mem_limit);
  if (svc.cpus) resources.cpus = svc.cpus;
  if (Object.keys(resources).length) input.resources = resources;
  const health = healthcheck(svc);
  if (health) input.healthcheck = health;

  if (svc.network_mode) input.networkMode = networkMode(svc, svc.network_mode);
  else {
    // Highest priority first (compose's rule for the primary network), then by key.
    const keys = Object.keys(svc.networks).sort((a, b) => (svc.networks[b]!.priority ?? 0) - (svc.networks[a]!.priority ?? 0) || a.localeCompare(b));
    const networks: NonNullable<ContainerCreateInput['networks']> = {};
    for (const key of keys) {
      const net = project.networks[key];
      if (!net) throw invalid(`service "${svc.name}" uses network "${key}", which the project does not declare`);
      const settings = svc.networks[key]!;
      networks[net.name] = { aliases: [...new Set([svc.name, ...settings.aliases])], ...(settings.ipv4_address ? { ip: settings.ipv4_address } : {}) };
    }
    if (keys.length) {
      input.networkMode = project.networks[keys[0]!]!.name;
      input.networks = networks;
    } else input.networkMode = 'none';
  }
  return { input, warnings };
}
