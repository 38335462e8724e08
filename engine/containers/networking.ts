// The container side of networking: turns a container's config (networkMode, networks, ports, publishAll and
// the image's exposed ports) into a request for the network subsystem (`ctx.networks`), checks that config at
// create time, and answers the network side's questions about stopped containers (hooks), so that
// `fd network connect/disconnect/rm` see containers that hold no network resources right now.
import fs from 'node:fs';
import { conflict, invalid, notFound } from '../api/errors';
import type { ContainerConfig, ContainerInspect, PortBinding } from '../api/containers';
import type { EngineContext } from '../context';
import { publishAll, type NetworkAttachment, type NetworkMode, type PortMapping, type PrepareRequest, type PrepareResult } from '../network';
import { DEFAULT_NETWORK } from '../network/manager';
import { contains, parseCidr, parseIp } from '../network/subnet';
import { containerLayout } from './layout';
import type { ContainerRecord } from './record';
import type { ContainerRepo } from './repo';

/** How the OCI spec joins the network: the host's (no namespace entry), a fresh one (none) or a prepared one. */
export type SpecNetwork = { mode: 'host' | 'none' } | { netnsPath: string };

export type NetworkSettings = ContainerInspect['networkSettings'];

const usesDefault = (mode: string) => mode === 'default' || mode === DEFAULT_NETWORK;

export function networkModeOf(config: ContainerConfig): NetworkMode {
  return config.networkMode === 'none' || config.networkMode === 'host' ? config.networkMode : 'bridge';
}

/** The networks a bridge-mode container joins, its primary (networkMode) first; [] for none/host. */
export function attachmentsOf(config: ContainerConfig): NetworkAttachment[] {
  if (networkModeOf(config) !== 'bridge') return [];
  const primary = usesDefault(config.networkMode) ? DEFAULT_NETWORK : config.networkMode;
  const extra = (name: string) => {
    const e = config.networks[name];
    return { network: name, ...(e?.aliases.length ? { aliases: e.aliases } : {}), ...(e?.ip ? { ip: e.ip } : {}) };
  };
  return [extra(primary), ...Object.keys(config.networks).filter((n) => n !== primary).map(extra)];
}

/**
 * Checks the network part of a create request against the networks that exist, so a typo fails `create`
 * (nothing is made) rather than the first `start`. Returns docker's warnings.
 */
export function checkNetworkConfig(ctx: EngineContext, config: ContainerConfig): string[] {
  const mode = config.networkMode;
  if (mode.startsWith('container:')) throw invalid(`network mode "${mode}" is not supported: use a network name, bridge, host or none`);
  const warnings: string[] = [];
  if (mode === 'none' || mode === 'host') {
    if (Object.keys(config.networks).length) throw invalid(`--network ${mode} cannot be combined with other networks (${Object.keys(config.networks).join(', ')})`);
    if (config.ports.length || config.publishAll) warnings.push(`Published ports are discarded when using ${mode} network mode`);
    return warnings;
  }
  for (const a of attachmentsOf(config)) {
    if (a.network === 'host' || a.network === 'none') throw invalid(`network "${a.network}" is a mode, not a network a container can join with others: use --network ${a.network} alone`);
    // Throws "No such network: NAME" for a network that does not exist.
    const info = ctx.networks?.inspect(a.network);
    if (a.ip === undefined) continue;
    const ip = parseIp(a.ip);
    if (ip === null) throw invalid(`invalid IP address "${a.ip}" for network ${a.network}: expected an IPv4 address`);
    if (info?.subnet && !contains(parseCidr(info.subnet), ip)) throw invalid(`address ${a.ip} is outside network ${info.name}'s subnet ${info.subnet}`);
  }
  return warnings;
}

function exposedKey(p: { containerPort: number; protocol: string }) {
  return `${p.containerPort}/${p.protocol}`;
}

/** -p bindings plus, with -P, every port the image exposes that -p did not already publish. */
async function portsOf(ctx: EngineContext, rec: ContainerRecord): Promise<PortMapping[]> {
  const ports: PortMapping[] = rec.config.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, range: p.range }));
  if (!rec.config.publishAll || !rec.resolved.imageId || !ctx.images) return ports;
  const image = await ctx.images.resolve(rec.resolved.imageId);
  const published = new Set(ports.map(exposedKey));
  return [...ports, ...publishAll(Object.keys(image.config.ExposedPorts ?? {})).filter((p) => !published.has(exposedKey(p)))];
}

export async function prepareRequest(ctx: EngineContext, rec: ContainerRecord, hostname: string): Promise<PrepareRequest> {
  const mode = networkModeOf(rec.config);
  return { id: rec.id, name: rec.name, mode, attachments: attachmentsOf(rec.config), ports: mode === 'bridge' ? await portsOf(ctx, rec) : [], hostname };
}

/** Sets up the container's network before `runc create`; null when the engine has no network subsystem. */
export async function prepareNetwork(ctx: EngineContext, rec: ContainerRecord, hostname: string): Promise<PrepareResult | null> {
  if (!ctx.networks) return null;
  return ctx.networks.prepare(await prepareRequest(ctx, rec, hostname));
}

export function specNetwork(result: PrepareResult): SpecNetwork {
  if (result.netnsPath) return { netnsPath: result.netnsPath };
  return { mode: result.mode === 'host' ? 'host' : 'none' };
}

/** Frees the container's addresses, ports and namespace; idempotent, never throws (cleanup paths call it). */
export async function releaseNetwork(ctx: EngineContext, id: string): Promise<void> {
  await ctx.networks?.release(id).catch((err: Error) => ctx.log.warn(`releasing the network of ${id.slice(0, 12)}: ${err.message}`));
}

function toBinding(p: PortMapping): PortBinding {
  return { hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, ...(p.range && p.range > 1 ? { range: p.range } : {}) };
}

/** The ports as actually bound (random host ports resolved); [] while the container holds no network. */
export function publishedPorts(ctx: EngineContext, id: string): PortBinding[] {
  return (ctx.networks?.sandbox(id)?.ports ?? []).map(toBinding);
}

/** Addresses of a prepared container; the configured networks with empty addresses otherwise (like docker). */
export function networkSettings(ctx: EngineContext, rec: ContainerRecord): NetworkSettings {
  const sandbox = ctx.networks?.sandbox(rec.id);
  const aliases = (name: string) => rec.config.networks[name]?.aliases ?? [];
  const networks: NetworkSettings['networks'] = {};
  if (sandbox) {
    for (const [name, a] of Object.entries(sandbox.addresses)) networks[name] = { ...a, aliases: aliases(name) };
  } else {
    for (const a of attachmentsOf(rec.config)) networks[a.network] = { ip: '', gateway: '', mac: '', prefixLength: 0, aliases: a.aliases ?? [] };
  }
  return { networks, ports: (sandbox?.ports ?? []).map(toBinding) };
}

/** Takes one network out of the config; when it was the primary, the next one takes its place, else only lo is left (docker's result). */
function dropAttachment(config: ContainerConfig, gone: NetworkAttachment) {
  const joined = attachmentsOf(config);
  delete config.networks[gone.network];
  if (joined[0]?.network === gone.network) config.networkMode = joined[1]?.network ?? 'none';
}

/** Makes a running container's config name the networks it is on now (after a live connect/disconnect). */
function recordLiveNetworks(ctx: EngineContext, repo: ContainerRepo, id: string) {
  const rec = repo.get(id);
  const sandbox = ctx.networks?.sandbox(id);
  if (!rec || !sandbox || !ctx.networks || networkModeOf(rec.config) !== 'bridge') return;
  const nameOf = (ref: string) => {
    try {
      return ctx.networks!.inspect(ref).name;
    } catch {
      return null;
    }
  };
  const now = new Set(Object.keys(sandbox.addresses));
  const joined = attachmentsOf(rec.config);
  const before = JSON.stringify(rec.config);
  for (const a of joined) {
    const name = nameOf(a.network);
    if (name && !now.has(name)) dropAttachment(rec.config, a);
  }
  for (const name of now) {
    if (joined.some((a) => nameOf(a.network) === name)) continue;
    // The network keeps the aliases given at connect, plus the short id it always adds.
    const aliases = (ctx.networks.inspect(name).containers[id]?.aliases ?? []).filter((x) => x !== id.slice(0, 12));
    rec.config.networks[name] = { aliases };
  }
  if (JSON.stringify(rec.config) !== before) repo.saveConfig(rec);
}

const live = (r: ContainerRecord) => r.state.status === 'running' || r.state.status === 'paused';

/** Lets `fd network connect/disconnect/rm` reach stopped containers (their config records the networks). */
export function registerNetworkHooks(ctx: EngineContext, repo: ContainerRepo): void {
  const get = (id: string) => {
    const rec = repo.get(id);
    if (!rec) throw notFound(`No such container: ${id}`);
    return rec;
  };
  const matches = (ref: string, n: { id: string; name: string }) => ref === n.name || ref === n.id || (ref.length >= 12 && n.id.startsWith(ref));
  ctx.networks?.setContainerHooks({
    resolve(ref) {
      try {
        const rec = repo.find(ref);
        return { id: rec.id, name: rec.name, running: live(rec) };
      } catch {
        return null;
      }
    },
    usersOf(n) {
      return repo
        .all()
        .filter((r) => attachmentsOf(r.config).some((a) => matches(a.network, n)))
        .map((r) => r.name);
    },
    connected(containerId, attachment) {
      const rec = get(containerId);
      if (networkModeOf(rec.config) !== 'bridge') throw conflict(`container ${rec.name} uses network mode ${rec.config.networkMode}: it cannot join other networks`);
      if (attachmentsOf(rec.config).some((a) => a.network === attachment.network)) throw conflict(`container ${rec.name} is already connected to network ${attachment.network}`);
      rec.config.networks[attachment.network] = { aliases: attachment.aliases ?? [], ...(attachment.ip ? { ip: attachment.ip } : {}) };
      repo.saveConfig(rec);
    },
    disconnected(containerId, n) {
      const rec = get(containerId);
      const joined = attachmentsOf(rec.config);
      const gone = joined.find((a) => matches(a.network, n));
      if (!gone) throw notFound(`container ${rec.name} is not connected to network ${n.name}`);
      dropAttachment(rec.config, gone);
      repo.saveConfig(rec);
    },
    filesChanged(containerId, files) {
      const layout = containerLayout(ctx.paths, containerId);
      // Rewritten in place (same inode): the files are bind-mounted into the running container.
      if (fs.existsSync(layout.resolvConf)) fs.writeFileSync(layout.resolvConf, files.resolvConf);
      if (fs.existsSync(layout.hosts)) fs.writeFileSync(layout.hosts, files.hosts);
      // Files change on connect/disconnect of a running container: its config follows, so a restart keeps them.
      recordLiveNetworks(ctx, repo, containerId);
    },
  });
}
