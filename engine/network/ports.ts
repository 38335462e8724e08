// Published ports: docker's `-p [IP:][HOST:]CTR[/proto]` syntax, `-P` for every exposed port, and the check
// that a host port is free before anything is set up (netavark forwards with iptables and never binds the
// port itself, so without this a taken port would fail silently).
import net from 'node:net';
import dgram from 'node:dgram';
import { conflict, invalid } from '../api/errors';
import { execFile } from '../runtime/exec-file';
import type { PortMapping } from './types';

function parsePort(text: string, spec: string): { start: number; count: number } {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) throw invalid(`invalid port "${text}" in "${spec}": expected a number or a range like 8000-8010`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) throw invalid(`invalid port range "${text}" in "${spec}": ports run 1-65535, low-high`);
  return { start, count: end - start + 1 };
}

/**
 * Parses one `-p` value: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:8080:80`,
 * `8000-8002:80-82/udp`. A missing host port is 0 (a random free port is chosen at start).
 */
export function parsePortSpec(spec: string): PortMapping {
  let rest = spec.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw invalid(`invalid protocol "${proto}" in "${spec}": use tcp or udp`);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) throw invalid(`invalid port spec "${spec}": an IPv6 address is written [ADDR]:HOST:CTR`);
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
    if (!net.isIPv6(hostIp)) throw invalid(`invalid host address "${hostIp}" in "${spec}"`);
  }
  const parts = rest.split(':');
  if (parts.length > 3 || (hostIp && parts.length !== 2)) throw invalid(`invalid port spec "${spec}": expected [IP:][HOST:]CONTAINER[/PROTO]`);
  if (parts.length === 3) {
    hostIp = parts.shift()!;
    if (!net.isIPv4(hostIp)) throw invalid(`invalid host address "${hostIp}" in "${spec}"`);
  }
  const ctrText = parts.pop()!;
  const hostText = parts.pop() ?? '';
  const ctr = parsePort(ctrText, spec);
  if (hostText === '') return { hostIp, hostPort: 0, containerPort: ctr.start, protocol, range: ctr.count };
  const host = parsePort(hostText, spec);
  if (host.count !== ctr.count) {
    throw invalid(`invalid port spec "${spec}": the host range has ${host.count} ports and the container range ${ctr.count}; they must match`);
  }
  return { hostIp, hostPort: host.start, containerPort: ctr.start, protocol, range: ctr.count };
}

/** `-P`: every exposed port (`80/tcp`, `53/udp`, `8080`) published on a random host port. */
export function publishAll(exposed: Iterable<string>): PortMapping[] {
  const out: PortMapping[] = [];
  for (const key of exposed) {
    const [port, proto = 'tcp'] = key.split('/');
    const p = parsePort(port ?? '', key);
    if (proto !== 'tcp' && proto !== 'udp') throw invalid(`invalid exposed port "${key}": use tcp or udp`);
    out.push({ hostIp: '', hostPort: 0, containerPort: p.start, protocol: proto, range: p.count });
  }
  return out;
}

export function formatPort(p: PortMapping): string {
  const range = (start: number) => (p.range && p.range > 1 ? `${start}-${start + p.range - 1}` : `${start}`);
  const ip = p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp || '0.0.0.0';
  return `${ip}:${range(p.hostPort)}->${range(p.containerPort)}/${p.protocol}`;
}

/** True when the two mappings claim a common host port (same protocol, overlapping address). */
export function portsClash(a: PortMapping, b: PortMapping): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.hostIp && b.hostIp && a.hostIp !== b.hostIp) return false;
  const aEnd = a.hostPort + (a.range ?? 1) - 1;
  const bEnd = b.hostPort + (b.range ?? 1) - 1;
  return a.hostPort <= bEnd && b.hostPort <= aEnd;
}

/**
 * Host ports that netavark forwards for any container on this host, ours or another engine's (podman's too),
 * read from its DNAT rules: such a port has no listening socket, so only the rules tell it is taken.
 */
export async function netavarkPublished(iptablesSave: string | null): Promise<{ containerId: string; ports: PortMapping[] }[]> {
  if (!iptablesSave) return [];
  const res = await execFile(iptablesSave, ['-t', 'nat'], { timeoutMs: 10_000 }).catch(() => null);
  if (!res || res.code !== 0) return [];
  const byId = new Map<string, PortMapping[]>();
  const rule = /^-A NETAVARK-HOSTPORT-DNAT .*-p (tcp|udp) .*--dport (\d+)(?::(\d+))? .*id: ([0-9a-f]+)/;
  for (const line of res.stdout.split('\n')) {
    const m = rule.exec(line);
    if (!m) continue;
    const start = Number(m[2]);
    const end = m[3] ? Number(m[3]) : start;
    const list = byId.get(m[4]!) ?? [];
    list.push({ hostIp: '', hostPort: start, containerPort: 0, protocol: m[1] as 'tcp' | 'udp', range: end - start + 1 });
    byId.set(m[4]!, list);
  }
  return [...byId].map(([containerId, ports]) => ({ containerId, ports }));
}

/** Binds and releases the port: resolves the bound port (useful with port 0), rejects when it is taken. */
function probe(hostIp: string, port: number, protocol: 'tcp' | 'udp'): Promise<number> {
  const address = hostIp || '0.0.0.0';
  if (protocol === 'udp') {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
      sock.once('error', (err) => {
        sock.close();
        reject(err);
      });
      sock.bind({ address, port, exclusive: true }, () => {
        const bound = sock.address().port;
        sock.close(() => resolve(bound));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Makes every mapping concrete and checks it is free on the host: host port 0 becomes a random free port;
 * a port that a host process or another container holds is refused with the port named, before any setup.
 */
export async function reservePorts(wanted: PortMapping[], heldByContainers: { container: string; ports: PortMapping[] }[]): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const p of wanted) {
    const range = p.range ?? 1;
    let mapping: PortMapping = { ...p, range };
    if (p.hostPort === 0) {
      if (range > 1) throw invalid(`publishing the range ${formatPort(p)} needs an explicit host range`);
      let port = 0;
      for (let tries = 0; tries < 20; tries++) {
        port = await probe(p.hostIp, 0, p.protocol);
        const candidate = { ...mapping, hostPort: port };
        if (!heldByContainers.some((h) => h.ports.some((q) => portsClash(q, candidate))) && !out.some((q) => portsClash(q, candidate))) break;
      }
      mapping = { ...mapping, hostPort: port };
    } else {
      for (const q of out) {
        if (portsClash(q, mapping)) throw conflict(`port ${mapping.hostPort}/${mapping.protocol} is published twice for this container`);
      }
      for (const held of heldByContainers) {
        const clash = held.ports.find((q) => portsClash(q, mapping));
        if (clash) {
          throw conflict(`port ${clash.hostPort}/${clash.protocol} on ${clash.hostIp || '0.0.0.0'} is already published by container ${held.container}: choose another host port`);
        }
      }
      for (let i = 0; i < range; i++) {
        try {
          await probe(p.hostIp, p.hostPort + i, p.protocol);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          const why = e.code === 'EADDRINUSE' ? 'is already in use on the host' : e.code === 'EADDRNOTAVAIL' ? 'cannot be bound: the address is not on this host' : `cannot be bound (${e.message})`;
          throw conflict(`port ${p.hostPort + i}/${p.protocol} on ${p.hostIp || '0.0.0.0'} ${why}: choose another host port`);
        }
      }
    }
    out.push(mapping);
  }
  return out;
}
