// The network subsystem's core: networks (create/remove with subnet and bridge-name allocation), the IPAM, and
// each container's sandbox (netns + netavark endpoints + published ports). Every change runs under one lock so
// two containers never race for an address, a port or a bridge name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EngineError, conflict, invalid, notFound } from '../api/errors';
import type { NetworkInfo } from '../api/networks';
import type { EngineContext } from '../context';
import { DEFAULT_ROOT_FOR_ROOT } from '../paths';
import { execFile } from '../runtime/exec-file';
import { findBinary } from '../system/tools';
import { hostsFile, readHostResolv, resolvConf } from './files';
import { type NetavarkEndpoint, type NetavarkNetwork } from './netavark';
import { networkDriver, type NetworkDriver } from '../rootless/network-driver';
import { createNetns, isNetns, netnsInUse, removeNetns } from './netns';
import { netavarkPublished, reservePorts } from './ports';
import { NetworkRepo, type EndpointRecord, type NetworkRecord, type SandboxRecord } from './repo';
import { contains, formatCidr, formatIp, hosts, overlaps, parseCidr, parseIp, pickSubnet, type Cidr } from './subnet';
import { renameInAardvark } from './aardvark-names';
import type {
  EndpointAddress,
  NetworkAttachment,
  NetworkContainerHooks,
  NetworkProvider,
  PortMapping,
  PrepareRequest,
  PrepareResult,
} from './types';

export const DEFAULT_NETWORK = 'bridge';
const PREDEFINED = new Set(['bridge', 'host', 'none']);

export interface CreateNetworkOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  dns?: boolean;
  labels?: Record<string, string>;
}

export interface NetworkFilterSpec {
  name?: string[];
  id?: string[];
  driver?: string[];
  label?: string[];
}

function pseudoId(root: string, name: string): string {
  return crypto.createHash('sha256').update(`${root}\0${name}`).digest('hex');
}

function matchesLabels(labels: Record<string, string>, filters: string[] | undefined): boolean {
  return (filters ?? []).every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

/** Host routes (all tables) as CIDRs: a new subnet must not shadow any of them. */
async function hostRoutes(): Promise<{ cidr: Cidr; text: string; dev: string }[]> {
  const ip = findBinary('ip');
  if (!ip) return [];
  const res = await execFile(ip, ['-j', '-4', 'route', 'show', 'table', 'all'], { timeoutMs: 10_000 });
  if (res.code !== 0) return [];
  const out: { cidr: Cidr; text: string; dev: string }[] = [];
  for (const r of JSON.parse(res.stdout || '[]') as { dst?: string; dev?: string; type?: string }[]) {
    if (!r.dst || r.dst === 'default' || r.type === 'broadcast') continue;
    try {
      out.push({ cidr: parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`), text: r.dst, dev: r.dev ?? '' });
    } catch {
      // a route with host bits set or an odd form: not a network we could collide with
    }
  }
  return out;
}

async function hostLinks(): Promise<Set<string>> {
  const ip = findBinary('ip');
  if (!ip) return new Set();
  const res = await execFile(ip, ['-j', 'link', 'show'], { timeoutMs: 10_000 });
  if (res.code !== 0) return new Set();
  return new Set((JSON.parse(res.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname));
}

export class NetworkManager implements NetworkProvider {
  readonly repo: NetworkRepo;
  /** netavark as root; pasta for a rootless engine (engine/rootless). */
  private readonly netavark: NetworkDriver;
  private readonly netnsDir: string;
  /** Bridge names are `${prefix}N`: `fdbr` for the default root, a per-root prefix otherwise (test roots). */
  private readonly bridgePrefix: string;
  /** Where this root starts looking for free subnets in the pool. */
  private readonly subnetStart: number;
  private hooks: NetworkContainerHooks | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** netavark's --config dir (aardvark-dns keeps its per-network name files under it). */
  private readonly configDir: string;

  constructor(private readonly ctx: EngineContext) {
    this.repo = new NetworkRepo(ctx.store);
    const configDir = (this.configDir = path.join(ctx.paths.networks, 'netavark'));
    this.netnsDir = path.join(ctx.paths.networks, 'netns');
    fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.netnsDir, { recursive: true, mode: 0o700 });
    this.netavark = networkDriver(configDir);
    const isDefaultRoot = path.resolve(ctx.paths.root) === DEFAULT_ROOT_FOR_ROOT;
    const hash = crypto.createHash('sha256').update(path.resolve(ctx.paths.root)).digest('hex');
    this.bridgePrefix = isDefaultRoot ? 'fdbr' : `fd${hash.slice(0, 5)}b`;
    // The default root starts at 10.90.0.0, clear of podman's defaults (10.88.0.0/16 and 10.89.N.0/24).
    this.subnetStart = isDefaultRoot ? 512 : parseInt(hash.slice(5, 9), 16) % 1024;
  }

  /** Runs `fn` after every earlier change has finished. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  setContainerHooks(hooks: NetworkContainerHooks): void {
    this.hooks = hooks;
  }

  private notifyFiles(containerId: string, files: { resolvConf: string; hosts: string }): void {
    try {
      this.hooks?.filesChanged?.(containerId, files);
    } catch (err) {
      this.ctx.log.warn(`updating /etc files of ${containerId.slice(0, 12)}: ${(err as Error).message}`);
    }
  }

  netnsPath(containerId: string): string {
    return path.join(this.netnsDir, containerId);
  }

  // ---- networks -------------------------------------------------------------------------------------------

  /** Name, full id or unique id prefix. */
  find(ref: string): NetworkRecord {
    const all = this.repo.networks();
    const byName = all.find((n) => n.name === ref);
    if (byName) return byName;
    const byId = all.filter((n) => n.id.startsWith(ref.toLowerCase()));
    if (byId.length === 1 && ref.length >= 1) return byId[0]!;
    if (byId.length > 1) throw invalid(`network id prefix "${ref}" is ambiguous: use more characters or the name`);
    if (ref === 'host' || ref === 'none') throw invalid(`network "${ref}" is a mode, not a network a container can join with others: use --network ${ref} alone`);
    throw notFound(`No such network: ${ref}`);
  }

  private pseudo(name: 'host' | 'none'): NetworkInfo {
    return {
      id: pseudoId(this.ctx.paths.root, name),
      name,
      driver: name === 'host' ? 'host' : 'null',
      scope: 'local',
      created: 0,
      internal: false,
      dnsEnabled: false,
      bridge: null,
      subnet: null,
      gateway: null,
      labels: {},
      containers: Object.fromEntries(
        this.repo
          .sandboxes()
          .filter((s) => s.mode === name)
          .map((s) => [s.containerId, { name: s.name, ip: '', mac: '', aliases: [] }]),
      ),
    };
  }

  private info(n: NetworkRecord): NetworkInfo {
    const sandboxes = new Map(this.repo.sandboxes().map((s) => [s.containerId, s]));
    return {
      id: n.id,
      name: n.name,
      driver: 'bridge',
      scope: 'local',
      created: n.created,
      internal: n.internal,
      dnsEnabled: n.dns,
      bridge: n.bridge,
      subnet: n.subnet,
      gateway: n.gateway,
      labels: n.labels,
      containers: Object.fromEntries(
        this.repo.endpoints({ networkId: n.id }).map((e) => [e.containerId, { name: sandboxes.get(e.containerId)?.name ?? '', ip: e.ip, mac: e.mac, aliases: e.aliases }]),
      ),
    };
  }

  inspect(ref: string): NetworkInfo {
    const pseudo = this.list().find((n) => (n.name === 'host' || n.name === 'none') && (n.name === ref || n.id === ref));
    return pseudo ?? this.info(this.find(ref));
  }

  list(filters: NetworkFilterSpec = {}): NetworkInfo[] {
    const all = [...this.repo.networks().map((n) => this.info(n)), this.pseudo('host'), this.pseudo('none')];
    return all.filter(
      (n) =>
        (!filters.name?.length || filters.name.some((f) => n.name.includes(f))) &&
        (!filters.id?.length || filters.id.some((f) => n.id.startsWith(f))) &&
        (!filters.driver?.length || filters.driver.includes(n.driver)) &&
        matchesLabels(n.labels, filters.label),
    );
  }

  create(options: CreateNetworkOptions): Promise<NetworkInfo> {
    return this.locked(async () => {
      if (PREDEFINED.has(options.name) && options.name !== DEFAULT_NETWORK) throw conflict(`network name "${options.name}" is reserved for the ${options.name} mode`);
      if (this.repo.networks().some((n) => n.name === options.name)) throw conflict(`network with name ${options.name} already exists`);
      const ours = this.repo.networks();
      const routes = await hostRoutes();
      let subnet: Cidr;
      if (options.subnet) {
        subnet = parseCidr(options.subnet);
        if (subnet.prefix > 30) throw invalid(`subnet ${options.subnet} is too small: use a /30 or larger`);
        for (const n of ours) {
          if (overlaps(parseCidr(n.subnet), subnet)) throw conflict(`subnet ${formatCidr(subnet)} overlaps network ${n.name} (${n.subnet}): choose another subnet`);
        }
        for (const r of routes) {
          if (overlaps(r.cidr, subnet)) throw conflict(`subnet ${formatCidr(subnet)} overlaps the host route ${r.text}${r.dev ? ` on ${r.dev}` : ''}: choose another subnet`);
        }
      } else {
        const picked = pickSubnet([...ours.map((n) => parseCidr(n.subnet)), ...routes.map((r) => r.cidr)], this.subnetStart);
        if (!picked) throw conflict('no free subnet left in 10.88.0.0/14: remove unused networks or pass --subnet');
        subnet = picked;
      }
      let gateway: number;
      if (options.gateway) {
        const g = parseIp(options.gateway);
        if (g === null) throw invalid(`invalid gateway "${options.gateway}": expected an IPv4 address`);
        if (!contains(subnet, g) || g === subnet.base || g === subnet.base + 2 ** (32 - subnet.prefix) - 1) {
          throw invalid(`gateway ${options.gateway} is not a usable address in subnet ${formatCidr(subnet)}`);
        }
        gateway = g;
      } else {
        gateway = hosts(subnet).next().value!;
      }
      const links = await hostLinks();
      const usedBridges = new Set(ours.map((n) => n.bridge));
      let index = options.name === DEFAULT_NETWORK ? 0 : 1;
      while (usedBridges.has(`${this.bridgePrefix}${index}`) || links.has(`${this.bridgePrefix}${index}`)) index++;
      const record: NetworkRecord = {
        id: crypto.randomBytes(32).toString('hex'),
        name: options.name,
        bridge: `${this.bridgePrefix}${index}`,
        subnet: formatCidr(subnet),
        gateway: formatIp(gateway),
        internal: options.internal ?? false,
        dns: options.dns ?? true,
        labels: options.labels ?? {},
        created: Date.now(),
      };
      this.repo.insertNetwork(record);
      // Like docker, the pre-defined network appears at engine start without a create event.
      if (record.name !== DEFAULT_NETWORK) {
        this.ctx.events.append({ type: 'network', action: 'create', actor: { id: record.id, attributes: { name: record.name, type: 'bridge' } } });
      }
      return this.info(record);
    });
  }

  /** The default `bridge` network, like docker's (no DNS by name on it: that is what user networks are for). */
  async ensureDefault(): Promise<void> {
    if (this.repo.networks().some((n) => n.name === DEFAULT_NETWORK)) return;
    await this.create({ name: DEFAULT_NETWORK, dns: false });
  }

  remove(ref: string): Promise<{ id: string; name: string }> {
    return this.locked(async () => {
      if (PREDEFINED.has(ref)) throw new EngineError('forbidden', `${ref} is a pre-defined network and cannot be removed`);
      const n = this.find(ref);
      if (n.name === DEFAULT_NETWORK) throw new EngineError('forbidden', `${n.name} is a pre-defined network and cannot be removed`);
      const users = new Set(this.repo.endpoints({ networkId: n.id }).map((e) => this.repo.sandbox(e.containerId)?.name ?? e.containerId.slice(0, 12)));
      for (const u of this.hooks?.usersOf?.({ id: n.id, name: n.name }) ?? []) users.add(u);
      if (users.size) throw conflict(`network ${n.name} is in use by container${users.size > 1 ? 's' : ''} ${[...users].join(', ')}: remove or disconnect ${users.size > 1 ? 'them' : 'it'} first`);
      this.repo.deleteNetwork(n.id);
      this.ctx.events.append({ type: 'network', action: 'destroy', actor: { id: n.id, attributes: { name: n.name, type: 'bridge' } } });
      return { id: n.id, name: n.name };
    });
  }

  async prune(labels?: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const n of this.repo.networks()) {
      if (n.name === DEFAULT_NETWORK || !matchesLabels(n.labels, labels)) continue;
      if (this.repo.endpoints({ networkId: n.id }).length || this.hooks?.usersOf?.({ id: n.id, name: n.name })?.length) continue;
      try {
        await this.remove(n.id);
        removed.push(n.name);
      } catch (err) {
        if (!(err instanceof EngineError && err.code === 'conflict')) throw err;
      }
    }
    return removed;
  }

  // ---- sandboxes ------------------------------------------------------------------------------------------

  private allocateIp(n: NetworkRecord, wanted: string | undefined, containerName: string): string {
    const subnet = parseCidr(n.subnet);
    const used = this.repo.usedIps(n.id);
    if (wanted) {
      const ip = parseIp(wanted);
      if (ip === null) throw invalid(`invalid IP address "${wanted}" for network ${n.name}`);
      if (!contains(subnet, ip)) throw invalid(`address ${wanted} is outside network ${n.name}'s subnet ${n.subnet}`);
      if (wanted === n.gateway) throw conflict(`address ${wanted} is the gateway of network ${n.name}`);
      if (used.has(wanted)) throw conflict(`address ${wanted} on network ${n.name} is already in use: choose another for ${containerName}`);
      return wanted;
    }
    for (const ip of hosts(subnet)) {
      const text = formatIp(ip);
      if (text !== n.gateway && !used.has(text)) return text;
    }
    throw conflict(`network ${n.name} (${n.subnet}) has no free address left`);
  }

  private endpointFor(e: EndpointRecord, networks: Map<string, NetworkRecord>): NetavarkEndpoint {
    const n = networks.get(e.networkId)!;
    const network: NetavarkNetwork = { name: n.name, id: n.id, bridge: n.bridge, subnet: n.subnet, gateway: n.gateway, internal: n.internal, dns: n.dns };
    return { network, ip: e.ip, aliases: e.aliases, interfaceName: e.interfaceName };
  }

  private networksById(): Map<string, NetworkRecord> {
    return new Map(this.repo.networks().map((n) => [n.id, n]));
  }

  private result(s: SandboxRecord): PrepareResult {
    const networks = this.networksById();
    const addresses: Record<string, EndpointAddress> = {};
    for (const e of this.repo.endpoints({ containerId: s.containerId })) {
      const n = networks.get(e.networkId);
      if (n) addresses[n.name] = { ip: e.ip, gateway: n.gateway, mac: e.mac, prefixLength: parseCidr(n.subnet).prefix };
    }
    return { mode: s.mode, netnsPath: s.netns, resolvConf: s.resolvConf, hosts: s.hosts, addresses, ports: s.ports };
  }

  /** resolv.conf and hosts from the sandbox's current endpoints. */
  private files(s: SandboxRecord, dnsServers: string[], dnsSearch: string[]): { resolvConf: string; hosts: string } {
    const host = readHostResolv();
    if (s.mode === 'host') {
      let hostsText: string;
      try {
        hostsText = fs.readFileSync('/etc/hosts', 'utf8');
      } catch {
        hostsText = hostsFile({ hostname: s.hostname, name: '', ip: null });
      }
      return { resolvConf: resolvConf({ dnsServers: [], dnsSearch: [], host, hostMode: true }), hosts: hostsText };
    }
    const first = this.repo.endpoints({ containerId: s.containerId })[0];
    return {
      resolvConf: resolvConf({ dnsServers, dnsSearch, host }),
      hosts: hostsFile({ hostname: s.hostname, name: s.name, ip: first?.ip ?? null }),
    };
  }

  /** The DNS-enabled networks a container has endpoints on (aardvark-dns answers for it there). */
  private dnsNetworksOf(containerId: string): NetworkRecord[] {
    const networks = this.networksById();
    return this.repo
      .endpoints({ containerId })
      .map((e) => networks.get(e.networkId))
      .filter((n): n is NetworkRecord => !!n && n.dns);
  }

  private dnsOf(s: SandboxRecord): { servers: string[]; search: string[] } {
    const dnsNets = this.dnsNetworksOf(s.containerId);
    return { servers: [...new Set(dnsNets.map((n) => n.gateway))], search: dnsNets.length ? ['dns.podman'] : [] };
  }

  renamed(containerId: string, oldName: string, newName: string): Promise<void> {
    return this.locked(async () => {
      if (!this.repo.sandbox(containerId)) return; // not running: its next prepare uses the new name
      this.repo.renameSandbox(containerId, newName);
      const dnsNetworks = this.dnsNetworksOf(containerId).map((n) => n.name);
      renameInAardvark(this.configDir, dnsNetworks, containerId, oldName, newName);
    });
  }

  sandbox(containerId: string): PrepareResult | null {
    const s = this.repo.sandbox(containerId);
    return s ? this.result(s) : null;
  }

  prepare(req: PrepareRequest): Promise<PrepareResult> {
    if (!/^[0-9a-f]{12,64}$/.test(req.id)) return Promise.reject(invalid(`invalid container id "${req.id}"`));
    return this.locked(async () => {
      // A sandbox left from an earlier run of this container (crash, missed stop) goes first.
      if (this.repo.sandbox(req.id)) await this.releaseLocked(req.id);
      const mode = req.mode;
      const attachments = mode === 'bridge' ? (req.attachments.length ? req.attachments : [{ network: DEFAULT_NETWORK }]) : [];
      const networks = attachments.map((a) => this.find(a.network));
      const seen = new Set<string>();
      for (const n of networks) {
        if (seen.has(n.id)) throw invalid(`network ${n.name} is given twice for container ${req.name}`);
        seen.add(n.id);
      }
      const ours = this.repo.sandboxes().filter((s) => s.containerId !== req.id);
      const held = ours.map((s) => ({ container: s.name, ports: s.ports }));
      if (mode === 'bridge' && req.ports.length) {
        const known = new Set([req.id, ...ours.map((s) => s.containerId)]);
        for (const f of await netavarkPublished(findBinary('iptables-save'))) {
          if (!known.has(f.containerId)) held.push({ container: `${f.containerId.slice(0, 12)} (outside this engine)`, ports: f.ports });
        }
      }
      const ports: PortMapping[] = mode === 'bridge' ? await reservePorts(req.ports, held) : [];
      // Only bridge mode needs a namespace made before runc: none gets runc's own (runc brings lo up).
      const netns = mode === 'bridge' ? this.netnsPath(req.id) : null;
      const sandbox: SandboxRecord = { containerId: req.id, name: req.name, mode, netns, hostname: req.hostname, ports, resolvConf: '', hosts: '', created: Date.now() };
      const shortId = req.id.slice(0, 12);
      // Reserve the addresses and ports first (one transaction), so a crash after this point is cleaned by reconcile.
      this.repo.transaction(() => {
        this.repo.insertSandbox(sandbox);
        networks.forEach((n, i) => {
          const a = attachments[i]!;
          const aliases = [...new Set([...(a.aliases ?? []), shortId])];
          this.repo.insertEndpoint({ containerId: req.id, networkId: n.id, ip: this.allocateIp(n, a.ip, req.name), mac: '', interfaceName: `eth${i}`, aliases });
        });
      });
      let setUp = false;
      try {
        if (netns) await createNetns(netns);
        const endpoints = this.repo.endpoints({ containerId: req.id });
        if (netns && endpoints.length) {
          const byId = this.networksById();
          const results = await this.netavark.setup(netns, {
            containerId: req.id,
            containerName: req.name,
            endpoints: endpoints.map((e) => this.endpointFor(e, byId)),
            ports,
          });
          setUp = true;
          for (const e of endpoints) {
            const n = byId.get(e.networkId)!;
            const mac = results[n.name]?.interfaces[e.interfaceName]?.mac ?? '';
            this.repo.setEndpointMac(req.id, n.id, mac);
          }
        }
        const dns = this.dnsOf(sandbox);
        const files = this.files(sandbox, dns.servers, dns.search);
        this.repo.updateSandboxFiles(req.id, files.resolvConf, files.hosts);
      } catch (err) {
        // netavark may have made the bridge or rules before it failed: tear down in any case.
        await this.undo(sandbox, setUp);
        throw err;
      }
      for (const n of networks) {
        this.ctx.events.append({ type: 'network', action: 'connect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: req.id } } });
      }
      return this.result(this.repo.sandbox(req.id)!);
    });
  }

  private async undo(s: SandboxRecord, setUp: boolean): Promise<void> {
    if (s.netns && isNetns(s.netns)) {
      const byId = this.networksById();
      const endpoints = this.repo.endpoints({ containerId: s.containerId });
      await this.netavark
        .teardown(s.netns, { containerId: s.containerId, containerName: s.name, endpoints: endpoints.map((e) => this.endpointFor(e, byId)), ports: s.ports })
        .catch((e: Error) => this.ctx.log[setUp ? 'warn' : 'info'](`undoing the network setup of ${s.name}: ${e.message}`));
    }
    if (s.netns) await removeNetns(s.netns).catch((e: Error) => this.ctx.log.warn(`removing netns ${s.netns}: ${e.message}`));
    this.repo.deleteSandbox(s.containerId);
  }

  release(containerId: string): Promise<void> {
    return this.locked(() => this.releaseLocked(containerId));
  }

  private async releaseLocked(containerId: string): Promise<void> {
    const s = this.repo.sandbox(containerId);
    if (!s) {
      await removeNetns(this.netnsPath(containerId)).catch(() => undefined);
      return;
    }
    const byId = this.networksById();
    const endpoints = this.repo.endpoints({ containerId }).filter((e) => byId.has(e.networkId));
    if (s.netns && endpoints.length) {
      try {
        await this.netavark.teardown(s.netns, { containerId, containerName: s.name, endpoints: endpoints.map((e) => this.endpointFor(e, byId)), ports: s.ports });
      } catch (err) {
        // After a reboot the namespace is gone and so are the veth and rules; netavark still drops the DNS records.
        const level = isNetns(s.netns) ? 'warn' : 'info';
        this.ctx.log[level](`network teardown of ${s.name}: ${(err as Error).message}`);
      }
    }
    if (s.netns) await removeNetns(s.netns);
    this.repo.deleteSandbox(containerId);
    for (const e of endpoints) {
      const n = byId.get(e.networkId)!;
      this.ctx.events.append({ type: 'network', action: 'disconnect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: containerId } } });
    }
  }

  connect(containerId: string, attachment: NetworkAttachment): Promise<EndpointAddress> {
    return this.locked(async () => {
      const s = this.repo.sandbox(containerId);
      if (!s) throw conflict(`container ${containerId.slice(0, 12)} is not running`);
      if (s.mode !== 'bridge' || !s.netns) throw conflict(`container ${s.name} uses network mode ${s.mode}: it cannot join other networks`);
      const n = this.find(attachment.network);
      const current = this.repo.endpoints({ containerId });
      if (current.some((e) => e.networkId === n.id)) throw conflict(`container ${s.name} is already connected to network ${n.name}`);
      const usedIfs = new Set(current.map((e) => e.interfaceName));
      let index = 0;
      while (usedIfs.has(`eth${index}`)) index++;
      const endpoint: EndpointRecord = {
        containerId,
        networkId: n.id,
        ip: this.allocateIp(n, attachment.ip, s.name),
        mac: '',
        interfaceName: `eth${index}`,
        aliases: [...new Set([...(attachment.aliases ?? []), containerId.slice(0, 12)])],
      };
      this.repo.insertEndpoint(endpoint);
      try {
        const byId = this.networksById();
        const results = await this.netavark.setup(s.netns, { containerId, containerName: s.name, endpoints: [this.endpointFor(endpoint, byId)], ports: [] });
        this.repo.setEndpointMac(containerId, n.id, results[n.name]?.interfaces[endpoint.interfaceName]?.mac ?? '');
      } catch (err) {
        this.repo.deleteEndpoint(containerId, n.id);
        throw err;
      }
      const dns = this.dnsOf(s);
      const files = this.files(s, dns.servers, dns.search);
      this.repo.updateSandboxFiles(containerId, files.resolvConf, files.hosts);
      this.notifyFiles(containerId, files);
      this.ctx.events.append({ type: 'network', action: 'connect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: containerId } } });
      return this.result(this.repo.sandbox(containerId)!).addresses[n.name]!;
    });
  }

  disconnect(containerId: string, network: string): Promise<void> {
    return this.locked(async () => {
      const s = this.repo.sandbox(containerId);
      if (!s) throw conflict(`container ${containerId.slice(0, 12)} is not running`);
      const n = this.find(network);
      const e = this.repo.endpoints({ containerId }).find((x) => x.networkId === n.id);
      if (!e) throw notFound(`container ${s.name} is not connected to network ${n.name}`);
      const byId = this.networksById();
      // Published ports were set up together with the first interface; they go with it.
      const ports = e.interfaceName === 'eth0' ? s.ports : [];
      if (s.netns) {
        await this.netavark
          .teardown(s.netns, { containerId, containerName: s.name, endpoints: [this.endpointFor(e, byId)], ports })
          .catch((err: Error) => this.ctx.log.warn(`disconnecting ${s.name} from ${n.name}: ${err.message}`));
      }
      this.repo.deleteEndpoint(containerId, n.id);
      const dns = this.dnsOf(s);
      const files = this.files(s, dns.servers, dns.search);
      this.repo.updateSandboxFiles(containerId, files.resolvConf, files.hosts);
      this.notifyFiles(containerId, files);
      this.ctx.events.append({ type: 'network', action: 'disconnect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: containerId } } });
    });
  }

  /** Finds a prepared (running) container by id, id prefix or name. */
  findSandbox(ref: string): SandboxRecord | null {
    const all = this.repo.sandboxes();
    return all.find((s) => s.containerId === ref || s.name === ref) ?? (all.filter((s) => s.containerId.startsWith(ref)).length === 1 ? all.find((s) => s.containerId.startsWith(ref))! : null);
  }

  // ---- start ----------------------------------------------------------------------------------------------

  /**
   * Engine start: the default network exists; sandboxes whose namespace no process lives in any more (the
   * container exited or the host rebooted while the engine was down) are torn down; stray netns files go.
   */
  async reconcile(): Promise<void> {
    await this.ensureDefault();
    await this.locked(async () => {
      for (const s of this.repo.sandboxes()) {
        if (s.mode === 'host' || (s.netns && netnsInUse(s.netns))) continue;
        this.ctx.log.info(`releasing the network of ${s.name}: it no longer runs`);
        await this.releaseLocked(s.containerId);
      }
      const known = new Set(this.repo.sandboxes().map((s) => s.containerId));
      for (const file of fs.readdirSync(this.netnsDir)) {
        if (!known.has(file)) await removeNetns(path.join(this.netnsDir, file));
      }
    });
  }

  get hooksSet(): NetworkContainerHooks | null {
    return this.hooks;
  }
}
