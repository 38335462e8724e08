// The network tables: networks, the per-container sandbox (netns, ports, generated files) and its endpoints.
// An endpoint row IS the address allocation: UNIQUE(network_id, ip) makes a double allocation impossible, and
// deleting the sandbox (cascade) frees every address and port it held.
import type { Store } from '../store/db';
import type { NetworkMode, PortMapping } from './types';

export interface NetworkRecord {
  id: string;
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  dns: boolean;
  labels: Record<string, string>;
  created: number;
}

export interface SandboxRecord {
  containerId: string;
  name: string;
  mode: NetworkMode;
  netns: string | null;
  hostname: string;
  ports: PortMapping[];
  resolvConf: string;
  hosts: string;
  created: number;
}

export interface EndpointRecord {
  containerId: string;
  networkId: string;
  ip: string;
  mac: string;
  interfaceName: string;
  aliases: string[];
}

interface NetworkRow extends Omit<NetworkRecord, 'internal' | 'dns' | 'labels'> {
  internal: number;
  dns: number;
  labels: string;
}

const toNetwork = (r: NetworkRow): NetworkRecord => ({ ...r, internal: r.internal === 1, dns: r.dns === 1, labels: JSON.parse(r.labels) as Record<string, string> });

interface SandboxRow {
  container_id: string;
  name: string;
  mode: NetworkMode;
  netns: string | null;
  hostname: string;
  ports: string;
  resolv_conf: string;
  hosts: string;
  created: number;
}

const toSandbox = (r: SandboxRow): SandboxRecord => ({
  containerId: r.container_id,
  name: r.name,
  mode: r.mode,
  netns: r.netns,
  hostname: r.hostname,
  ports: JSON.parse(r.ports) as PortMapping[],
  resolvConf: r.resolv_conf,
  hosts: r.hosts,
  created: r.created,
});

interface EndpointRow {
  container_id: string;
  network_id: string;
  ip: string;
  mac: string;
  interface: string;
  aliases: string;
}

const toEndpoint = (r: EndpointRow): EndpointRecord => ({
  containerId: r.container_id,
  networkId: r.network_id,
  ip: r.ip,
  mac: r.mac,
  interfaceName: r.interface,
  aliases: JSON.parse(r.aliases) as string[],
});

export class NetworkRepo {
  constructor(private readonly db: Store) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  networks(): NetworkRecord[] {
    return (this.db.prepare('SELECT * FROM networks ORDER BY created, name').all() as NetworkRow[]).map(toNetwork);
  }

  network(id: string): NetworkRecord | null {
    const row = this.db.prepare('SELECT * FROM networks WHERE id = ?').get(id) as NetworkRow | undefined;
    return row ? toNetwork(row) : null;
  }

  insertNetwork(n: NetworkRecord): void {
    this.db
      .prepare('INSERT INTO networks(id, name, bridge, subnet, gateway, internal, dns, labels, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(n.id, n.name, n.bridge, n.subnet, n.gateway, n.internal ? 1 : 0, n.dns ? 1 : 0, JSON.stringify(n.labels), n.created);
  }

  deleteNetwork(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }

  countNetworks(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM networks').get() as { n: number }).n;
  }

  sandboxes(): SandboxRecord[] {
    return (this.db.prepare('SELECT * FROM network_sandboxes ORDER BY created').all() as SandboxRow[]).map(toSandbox);
  }

  sandbox(containerId: string): SandboxRecord | null {
    const row = this.db.prepare('SELECT * FROM network_sandboxes WHERE container_id = ?').get(containerId) as SandboxRow | undefined;
    return row ? toSandbox(row) : null;
  }

  insertSandbox(s: SandboxRecord): void {
    this.db
      .prepare('INSERT INTO network_sandboxes(container_id, name, mode, netns, hostname, ports, resolv_conf, hosts, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.containerId, s.name, s.mode, s.netns, s.hostname, JSON.stringify(s.ports), s.resolvConf, s.hosts, s.created);
  }

  updateSandboxFiles(containerId: string, resolvConf: string, hosts: string): void {
    this.db.prepare('UPDATE network_sandboxes SET resolv_conf = ?, hosts = ? WHERE container_id = ?').run(resolvConf, hosts, containerId);
  }

  renameSandbox(containerId: string, name: string): void {
    this.db.prepare('UPDATE network_sandboxes SET name = ? WHERE container_id = ?').run(name, containerId);
  }

  deleteSandbox(containerId: string): void {
    this.db.prepare('DELETE FROM network_sandboxes WHERE container_id = ?').run(containerId);
  }

  endpoints(filter: { containerId?: string; networkId?: string } = {}): EndpointRecord[] {
    if (filter.containerId) {
      return (this.db.prepare('SELECT * FROM network_endpoints WHERE container_id = ? ORDER BY interface').all(filter.containerId) as EndpointRow[]).map(toEndpoint);
    }
    if (filter.networkId) return (this.db.prepare('SELECT * FROM network_endpoints WHERE network_id = ?').all(filter.networkId) as EndpointRow[]).map(toEndpoint);
    return (this.db.prepare('SELECT * FROM network_endpoints').all() as EndpointRow[]).map(toEndpoint);
  }

  insertEndpoint(e: EndpointRecord): void {
    this.db
      .prepare('INSERT INTO network_endpoints(container_id, network_id, ip, mac, interface, aliases) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.containerId, e.networkId, e.ip, e.mac, e.interfaceName, JSON.stringify(e.aliases));
  }

  setEndpointMac(containerId: string, networkId: string, mac: string): void {
    this.db.prepare('UPDATE network_endpoints SET mac = ? WHERE container_id = ? AND network_id = ?').run(mac, containerId, networkId);
  }

  deleteEndpoint(containerId: string, networkId: string): void {
    this.db.prepare('DELETE FROM network_endpoints WHERE container_id = ? AND network_id = ?').run(containerId, networkId);
  }

  usedIps(networkId: string): Set<string> {
    return new Set((this.db.prepare('SELECT ip FROM network_endpoints WHERE network_id = ?').all(networkId) as { ip: string }[]).map((r) => r.ip));
  }
}
