// The container's /etc/resolv.conf and /etc/hosts, generated from its endpoints. On a DNS-enabled network the
// resolver is aardvark-dns on the gateway (which forwards other names to the host's resolvers); elsewhere the
// host's resolvers are copied, minus loopback ones a container cannot reach (docker's rule).
import fs from 'node:fs';

export interface HostResolv {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function readHostResolv(file = '/etc/resolv.conf'): HostResolv {
  const out: HostResolv = { nameservers: [], search: [], options: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search.push(...rest);
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';
/** Docker's fallback when the host has only loopback resolvers. */
const FALLBACK_DNS = ['8.8.8.8', '8.8.4.4'];

export function resolvConf(opts: { dnsServers: string[]; dnsSearch: string[]; host: HostResolv; hostMode?: boolean }): string {
  const { host } = opts;
  let servers: string[];
  if (opts.hostMode) servers = host.nameservers;
  else if (opts.dnsServers.length) servers = opts.dnsServers;
  else {
    servers = host.nameservers.filter((s) => !isLoopback(s));
    if (!servers.length) servers = FALLBACK_DNS;
  }
  const search = [...new Set([...opts.dnsSearch, ...host.search])];
  const lines = [...(search.length ? [`search ${search.join(' ')}`] : []), ...servers.map((s) => `nameserver ${s}`)];
  if (host.options.length) lines.push(`options ${host.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function hostsFile(opts: { hostname: string; name: string; ip: string | null }): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const names = [...new Set([opts.hostname, opts.name].filter(Boolean))];
  if (names.length) lines.push(`${opts.ip ?? '127.0.1.1'}\t${names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
