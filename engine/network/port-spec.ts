// Docker's published-port syntax without any I/O: `-p [IP:][HOST:]CTR[/proto]`, `-P` for every exposed port,
// docker's `IP:HOST->CTR/proto` text, and the clash rule. Kept apart from ports.ts (which probes the host) so
// the CLI can parse and print ports without loading dgram and child_process.
import net from 'node:net';
import { invalid } from '../api/errors';
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
