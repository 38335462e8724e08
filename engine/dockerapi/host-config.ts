// Docker's networking, port, mount and health settings of `POST /containers/create` ⇄ the contract's
// networkMode/networks/ports/publishAll/mounts/readOnlyRootfs/healthcheck. Pure translation; the mount
// syntaxes are parsed by the same module the fd CLI uses (containers/mount-spec.ts).
import type { ContainerConfig, ContainerCreateInput, HealthConfig, Mount, PortBinding } from '../api/containers';
import { EngineError } from '../api/errors';
import { parseTmpfsSpec, parseVolumeSpec } from '../containers/mount-spec';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const NS_PER_MS = 1e6;

type Networking = Pick<ContainerCreateInput, 'networkMode' | 'networks' | 'ports' | 'publishAll' | 'mounts' | 'readOnlyRootfs' | 'healthcheck'>;

/** "80/tcp" | "80" → port and protocol. */
function portKey(key: string): { port: number; protocol: 'tcp' | 'udp' } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m) throw new EngineError('invalid', `invalid port "${key}": use PORT[/tcp|udp]`);
  if (m[2] === 'sctp') throw new EngineError('unsupported', `sctp ports are not supported by this engine (${key})`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) throw new EngineError('invalid', `invalid port "${key}": it must be 1-65535`);
  return { port, protocol: (m[2] as 'tcp' | 'udp' | undefined) ?? 'tcp' };
}

function hostPort(text: unknown, key: string): number {
  const s = typeof text === 'string' ? text : typeof text === 'number' ? String(text) : '';
  if (s === '') return 0;
  if (!/^\d+$/.test(s) || Number(s) > 65535) throw new EngineError('invalid', `invalid host port "${s}" for ${key}: use a number 0-65535 (ranges are expanded by the client)`);
  return Number(s);
}

/** HostConfig.PortBindings (+ Config.ExposedPorts with PublishAllPorts) → ports. */
function ports(bindings: Json, exposed: Json, publishAll: boolean): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const { port, protocol } = portKey(key);
    const entries = Array.isArray(list) && list.length ? list.map(obj) : [{}];
    for (const b of entries) out.push({ hostIp: str(b.HostIp) ?? '', hostPort: hostPort(b.HostPort, key), containerPort: port, protocol });
  }
  // `-P --expose 80`: exposed ports the image does not declare still get a random host port.
  if (publishAll) {
    for (const key of Object.keys(exposed)) {
      const { port, protocol } = portKey(key);
      if (!out.some((p) => p.containerPort === port && p.protocol === protocol)) out.push({ hostIp: '', hostPort: 0, containerPort: port, protocol });
    }
  }
  return out;
}

/** HostConfig.Mounts entries (the API's structured form of --mount). */
function apiMount(m: Json): Mount {
  const type = str(m.Type) ?? 'volume';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new EngineError('unsupported', `mount type "${type}" is not supported (bind, volume, tmpfs)`);
  const target = str(m.Target) ?? '';
  if (!target.startsWith('/')) throw new EngineError('invalid', `invalid mount config: the target "${target}" must be an absolute path in the container`);
  const source = str(m.Source) ?? '';
  if (type === 'bind' && !source.startsWith('/')) throw new EngineError('invalid', `invalid mount config for type "bind": the source "${source}" must be an absolute host path`);
  const bind = obj(m.BindOptions);
  const volume = obj(m.VolumeOptions);
  const tmpfs = obj(m.TmpfsOptions);
  const propagation = str(bind.Propagation);
  return {
    type,
    source: type === 'tmpfs' ? '' : source,
    target,
    readOnly: m.ReadOnly === true,
    createHostPath: bind.CreateMountpoint === true,
    noCopy: volume.NoCopy === true,
    ...(propagation ? { bindPropagation: propagation as Mount['bindPropagation'] } : {}),
    ...(typeof tmpfs.SizeBytes === 'number' && tmpfs.SizeBytes > 0 ? { tmpfsSizeBytes: tmpfs.SizeBytes } : {}),
    ...(typeof tmpfs.Mode === 'number' && tmpfs.Mode > 0 ? { tmpfsMode: tmpfs.Mode & 0o7777 } : {}),
  };
}

/** Binds, Mounts, Tmpfs, then Config.Volumes not already covered (anonymous volumes, as moby makes them). */
function mounts(host: Json, configVolumes: Json): Mount[] {
  const out: Mount[] = [];
  for (const spec of Array.isArray(host.Binds) ? host.Binds : []) out.push(parseVolumeSpec(String(spec)));
  for (const m of Array.isArray(host.Mounts) ? host.Mounts : []) out.push(apiMount(obj(m)));
  for (const [target, opts] of Object.entries(obj(host.Tmpfs))) out.push(parseTmpfsSpec(opts ? `${target}:${String(opts)}` : target));
  for (const target of Object.keys(configVolumes)) if (!out.some((m) => m.target === target)) out.push(parseVolumeSpec(target));
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.target)) throw new EngineError('invalid', `Duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
  return out;
}

/** Config.Healthcheck (durations in ns) → healthcheck (ms); an empty Test inherits the image's. */
function healthcheck(h: Json): HealthConfig | undefined {
  const test = Array.isArray(h.Test) ? h.Test.map(String) : [];
  if (!test.length) return undefined;
  const ms = (v: unknown) => (typeof v === 'number' && v > 0 ? Math.max(1, Math.round(v / NS_PER_MS)) : undefined);
  const out: Partial<HealthConfig> & { test: string[] } = { test };
  const interval = ms(h.Interval);
  const timeout = ms(h.Timeout);
  const startPeriod = ms(h.StartPeriod);
  if (interval) out.intervalMs = interval;
  if (timeout) out.timeoutMs = timeout;
  if (startPeriod) out.startPeriodMs = startPeriod;
  if (typeof h.Retries === 'number' && h.Retries > 0) out.retries = h.Retries;
  return out as HealthConfig;
}

/** The CLI's key for the default network is "default"; moby treats it as bridge. */
const networkName = (name: string) => (name === 'default' ? 'bridge' : name);

/** NetworkMode + NetworkingConfig.EndpointsConfig → networkMode and per-network aliases/addresses. */
function networking(host: Json, endpoints: Json): Pick<ContainerCreateInput, 'networkMode' | 'networks'> {
  const mode = str(host.NetworkMode) ?? 'default';
  if (mode.startsWith('container:')) throw new EngineError('unsupported', `network mode "${mode}" (sharing another container's network) is not supported by this engine yet`);
  const networks: NonNullable<ContainerCreateInput['networks']> = {};
  for (const [name, value] of Object.entries(endpoints)) {
    const e = obj(value);
    const aliases = Array.isArray(e.Aliases) ? e.Aliases.map(String).filter(Boolean) : [];
    const ip = str(obj(e.IPAMConfig).IPv4Address);
    const key = networkName(name === 'default' ? networkName(mode) : name);
    // The CLI sends an empty endpoint for the default network: nothing to say about it.
    if (!aliases.length && !ip && (key === networkName(mode) || key === 'bridge')) continue;
    networks[key] = { aliases, ...(ip ? { ip } : {}) };
  }
  return { networkMode: mode, networks };
}

/** The networking, port, mount and health part of a create request. */
export function hostConfigInput(config: Json): Networking {
  const host = obj(config.HostConfig);
  const publishAll = host.PublishAllPorts === true;
  const health = healthcheck(obj(config.Healthcheck));
  return {
    ...networking(host, obj(obj(config.NetworkingConfig).EndpointsConfig)),
    ports: ports(obj(host.PortBindings), obj(config.ExposedPorts), publishAll),
    publishAll,
    mounts: mounts(host, obj(config.Volumes)),
    readOnlyRootfs: host.ReadonlyRootfs === true,
    ...(health ? { healthcheck: health } : {}),
  };
}

const portKeyOf = (p: { containerPort: number; protocol: string }, offset = 0) => `${p.containerPort + offset}/${p.protocol}`;

/** ports (as configured or as bound) → moby's PortMap: {"80/tcp": [{HostIp, HostPort}]}. */
export function dockerPortMap(list: PortBinding[], exposed: string[] = []): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of exposed) out[key] = null;
  for (const p of list) {
    for (let i = 0; i < (p.range ?? 1); i++) {
      const key = portKeyOf(p, i);
      (out[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort + i) : '' });
    }
  }
  return out;
}

/** The HostConfig/Config fields of inspect that echo what the container was created with. */
export function dockerHostConfigEcho(cfg: ContainerConfig) {
  const binds = cfg.mounts.filter((m) => m.type !== 'tmpfs' && m.source).map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  const tmpfs = cfg.mounts.filter((m) => m.type === 'tmpfs');
  const h = cfg.healthcheck;
  return {
    hostConfig: {
      NetworkMode: networkName(cfg.networkMode),
      PortBindings: dockerPortMap(cfg.ports),
      PublishAllPorts: cfg.publishAll,
      Binds: binds.length ? binds : null,
      ReadonlyRootfs: cfg.readOnlyRootfs,
      ...(tmpfs.length
        ? {
            Tmpfs: Object.fromEntries(
              tmpfs.map((m) => [m.target, [m.tmpfsSizeBytes ? `size=${m.tmpfsSizeBytes}` : '', m.tmpfsMode !== undefined ? `mode=${m.tmpfsMode.toString(8)}` : ''].filter(Boolean).join(',')]),
            ),
          }
        : {}),
    },
    exposedPorts: Object.fromEntries(cfg.ports.flatMap((p) => Array.from({ length: p.range ?? 1 }, (_, i) => [portKeyOf(p, i), {}]))),
    healthcheck: h ? { Test: h.test, Interval: h.intervalMs * NS_PER_MS, Timeout: h.timeoutMs * NS_PER_MS, StartPeriod: h.startPeriodMs * NS_PER_MS, Retries: h.retries } : undefined,
  };
}
