// Docker's container JSON ⇄ the contract's container shapes (notes §3 P1, §6.1). Pure translation: every
// decision about containers is the engine's.
import type { z } from 'zod';
import type { ContainerCreateInput, ContainerInspect, ContainerStatus, ContainerSummary, ListFilters } from '../api/containers';
import { EngineError } from '../api/errors';
import { dockerHostConfigEcho, dockerPortMap, hostConfigInput } from './host-config';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : undefined);
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

function nonEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** HostConfig settings the engine does not offer yet: accepted, named in a warning, not applied. */
const ignoredHostConfig = ['CapAdd', 'CapDrop', 'Privileged', 'Devices', 'DnsSearch', 'Dns', 'ExtraHosts', 'Links', 'Ulimits', 'Sysctls', 'ShmSize', 'Init'];
/** HostConfig settings whose absence would lose data or break the container: refused. */
const refusedHostConfig = ['VolumesFrom'];

export interface CreateRequest {
  input: ContainerCreateInput;
  /** Things in the request the engine does not apply, for Docker's `Warnings`. */
  warnings: string[];
}

/** `POST /containers/create` body + `name` query → containers.create input. */
export function createInput(body: unknown, name: string | null): CreateRequest {
  if (body === undefined) throw new EngineError('invalid', 'container config is missing: send a JSON body');
  const config = obj(body);
  const host = obj(config.HostConfig);
  const warnings: string[] = [];

  const refused = refusedHostConfig.filter((k) => nonEmpty(host[k]));
  if (refused.length) throw new EngineError('unsupported', `${refused.join(', ')} is not supported by this engine yet`);
  const ignored = ignoredHostConfig.filter((k) => nonEmpty(host[k]));
  if (ignored.length) warnings.push(`not supported by this engine yet, ignored: ${ignored.join(', ')}`);

  let entrypoint = strList(config.Entrypoint);
  // `--entrypoint ""` arrives as [""]: moby reads it as "no entrypoint".
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  const restart = obj(host.RestartPolicy);
  const restartName = str(restart.Name) ?? 'no';
  const nanoCpus = posInt(host.NanoCpus);
  const pidsLimit = posInt(host.PidsLimit);
  const memory = posInt(host.Memory);

  const input: ContainerCreateInput = {
    ...(name ? { name } : {}),
    image: str(config.Image),
    cmd: strList(config.Cmd),
    entrypoint,
    env: strList(config.Env) ?? [],
    workingDir: str(config.WorkingDir),
    user: str(config.User),
    hostname: str(config.Hostname),
    labels: Object.fromEntries(Object.entries(obj(config.Labels)).map(([k, v]) => [k, String(v)])),
    tty: config.Tty === true,
    openStdin: config.OpenStdin === true,
    stdinOnce: config.StdinOnce === true,
    autoRemove: host.AutoRemove === true,
    restartPolicy: { name: restartName as 'no', maximumRetryCount: typeof restart.MaximumRetryCount === 'number' ? restart.MaximumRetryCount : 0 },
    stopSignal: str(config.StopSignal),
    stopTimeout: typeof config.StopTimeout === 'number' && config.StopTimeout >= 0 ? config.StopTimeout : undefined,
    resources: {
      ...(memory ? { memory } : {}),
      ...(nanoCpus ? { cpus: nanoCpus / 1e9 } : {}),
      ...(pidsLimit ? { pidsLimit } : {}),
    },
    ...hostConfigInput(config),
  };
  // Leave unset keys out entirely, so the contract's defaults apply as they do for fd.
  for (const [k, v] of Object.entries(input)) if (v === undefined) delete (input as Json)[k];
  return { input, warnings };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const goTime = (iso: string) => (iso ? iso : ZERO_TIME);

/** moby's EndpointSettings per joined network, and IPAddress/Gateway/... of the default bridge. */
function dockerNetworks(c: ContainerInspect, networkIds: Map<string, string>) {
  const shortId = c.id.slice(0, 12);
  const networks = Object.entries(c.networkSettings.networks).map(([name, n]) => {
    // compose checks for the short id among the aliases (moby adds it below API 1.45) before every start.
    const aliases = [...new Set([...n.aliases, shortId])];
    const ip = c.config.networks[name]?.ip;
    return [name, { IPAMConfig: ip ? { IPv4Address: ip } : null, Links: null, Aliases: aliases, MacAddress: n.mac, NetworkID: networkIds.get(name) ?? '', EndpointID: '', Gateway: n.gateway, IPAddress: n.ip, IPPrefixLen: n.prefixLength, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: [c.name, shortId, ...n.aliases] }] as const;
  });
  return Object.fromEntries(networks);
}

const dockerMounts = (c: ContainerInspect) =>
  c.mounts.map((m) => ({ Type: m.type, ...(m.name ? { Name: m.name } : {}), Source: m.source, Destination: m.destination, ...(m.driver ? { Driver: m.driver } : {}), Mode: m.mode, RW: m.rw, Propagation: m.propagation }));

/**
 * containers.list item → one entry of `GET /containers/json`; with the container's inspect, also its image id,
 * network mode, networks and mounts (`docker ps --format '{{.Networks}} {{.Mounts}}'`).
 */
export function dockerSummary(c: ContainerSummary, detail?: ContainerInspect, networkIds: Map<string, string> = new Map()): Json {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    ImageID: detail?.imageId ?? '',
    Command: c.command,
    // The contract counts milliseconds; Docker lists unix seconds.
    Created: Math.floor(c.created / 1000),
    // Every host address shows as 0.0.0.0, as moby lists an unqualified binding.
    Ports: c.ports.flatMap((p) =>
      Array.from({ length: p.range ?? 1 }, (_, i) => ({
        ...(p.hostPort ? { IP: p.hostIp || '0.0.0.0', PublicPort: p.hostPort + i } : {}),
        PrivatePort: p.containerPort + i,
        Type: p.protocol,
      })),
    ),
    Labels: c.labels,
    State: c.state,
    Status: c.status,
    HostConfig: { NetworkMode: detail ? dockerHostConfigEcho(detail.config).hostConfig.NetworkMode : 'default' },
    NetworkSettings: { Networks: detail ? dockerNetworks(detail, networkIds) : {} },
    Mounts: detail ? dockerMounts(detail) : [],
    ...(c.sizeRw !== undefined ? { SizeRw: c.sizeRw } : {}),
  };
}

/** containers.inspect → `GET /containers/{id}/json` (moby's ContainerJSON, the fields clients read). */
export function dockerInspect(c: ContainerInspect, networkIds: Map<string, string> = new Map()): Json {
  const cfg = c.config;
  const s = c.state;
  const echo = dockerHostConfigEcho(cfg);
  const bridge = c.networkSettings.networks.bridge;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: {
      Status: s.status,
      Running: s.running,
      Paused: s.paused,
      Restarting: s.restarting,
      OOMKilled: s.oomKilled,
      Dead: s.dead,
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: goTime(s.startedAt),
      FinishedAt: goTime(s.finishedAt),
      ...(s.health ? { Health: { Status: s.health.status, FailingStreak: s.health.failingStreak, Log: s.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })) } } : {}),
    },
    Image: c.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: c.logPath,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      ...echo.hostConfig,
      // The API serves logs as json-file does; compose shows logs only for drivers it knows (json-file).
      LogConfig: { Type: 'json-file', Config: {} },
      AutoRemove: cfg.autoRemove ?? false,
      RestartPolicy: { Name: cfg.restartPolicy?.name ?? 'no', MaximumRetryCount: cfg.restartPolicy?.maximumRetryCount ?? 0 },
      Memory: cfg.resources?.memory ?? 0,
      NanoCpus: cfg.resources?.cpus ? Math.round(cfg.resources.cpus * 1e9) : 0,
      PidsLimit: cfg.resources?.pidsLimit ?? null,
    },
    GraphDriver: { Name: 'overlay2', Data: null },
    Mounts: dockerMounts(c),
    Config: {
      Hostname: cfg.hostname ?? c.id.slice(0, 12),
      Domainname: '',
      User: cfg.user ?? '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: cfg.tty ?? false,
      OpenStdin: cfg.openStdin ?? false,
      StdinOnce: cfg.stdinOnce ?? false,
      ...(Object.keys(echo.exposedPorts).length ? { ExposedPorts: echo.exposedPorts } : {}),
      Env: cfg.env ?? [],
      Cmd: cfg.cmd ?? null,
      Image: c.image,
      Volumes: null,
      WorkingDir: cfg.workingDir ?? '',
      Entrypoint: cfg.entrypoint ?? null,
      Labels: cfg.labels ?? {},
      StopSignal: cfg.stopSignal ?? 'SIGTERM',
      ...(echo.healthcheck ? { Healthcheck: echo.healthcheck } : {}),
      ...(cfg.stopTimeout !== undefined ? { StopTimeout: cfg.stopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: s.running ? dockerPortMap(c.networkSettings.ports, Object.keys(echo.exposedPorts)) : {},
      IPAddress: bridge?.ip ?? '',
      IPPrefixLen: bridge?.prefixLength ?? 0,
      Gateway: bridge?.gateway ?? '',
      MacAddress: bridge?.mac ?? '',
      Networks: dockerNetworks(c, networkIds),
    },
  };
}

/** Docker `GET /containers/json` filters → the contract's; keys the engine cannot filter by are a 400. */
/** Docker's `filters` query for /containers/json onto the contract's ListFilters (the engine does the matching). */
export function listFilters(filters: Map<string, string[]>): z.input<typeof ListFilters> {
  const out: z.input<typeof ListFilters> = {};
  const single = (key: 'before' | 'since', values: string[]) => {
    if (values.length > 1) throw new EngineError('invalid', `filter '${key}' takes one value`);
    out[key] = values[0]!;
  };
  for (const [key, values] of filters) {
    if (!values.length) continue;
    switch (key) {
      case 'status':
        out.status = values as ContainerStatus[];
        break;
      case 'label':
      case 'name':
      case 'id':
      case 'ancestor':
      case 'network':
      case 'volume':
        out[key] = values;
        break;
      case 'health':
        out.health = values as ('starting' | 'healthy' | 'unhealthy' | 'none')[];
        break;
      case 'exited':
        out.exited = values.map((v) => {
          if (!/^-?\d+$/.test(v)) throw new EngineError('invalid', `invalid filter 'exited=${v}': an exit code is a number`);
          return Number(v);
        });
        break;
      case 'before':
      case 'since':
        single(key, values);
        break;
      case 'is-task':
        break; // no swarm here: nothing is a task
      default:
        throw new EngineError('invalid', `invalid filter '${key}'${['publish', 'expose', 'isolation'].includes(key) ? ' (not supported by this engine yet)' : ''}`);
    }
  }
  return out;
}
