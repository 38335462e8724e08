// Published ports on the host: the check that a host port is free before anything is set up (netavark
// forwards with iptables and never binds the port itself, so without this a taken port would fail silently).
// The syntax itself is in port-spec.ts.
import net from 'node:net';
import dgram from 'node:dgram';
import { conflict, invalid } from '../api/errors';
import { execFile } from '../runtime/exec-file';
import type { PortMapping } from './types';
import { formatPort, portsClash } from './port-spec';

export { formatPort, parsePortSpec, portsClash, publishAll } from './port-spec';

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
