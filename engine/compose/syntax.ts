// The short syntaxes of `ports` and `volumes`, parsed into the long (canonical) form. Used by validation,
// by the merge (entries are merged by what they mean, not how they were written) and by normalisation.
import type { ComposeMount, ComposePort } from '../api/compose';
import { isMapping } from './obj';
import { parseBytes } from './units';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const err = <T>(error: string): Result<T> => ({ ok: false, error });

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIPv4 = (s: string) => IPV4.test(s) && s.split('.').every((p) => Number(p) <= 255);
const isIPv6 = (s: string) => /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':');

function parseRange(s: string): { start: number; end: number } | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return null;
  return { start, end };
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

/** `[[ip:]published[-end]:]target[-end][/protocol]`; ranges expand to one mapping per port. */
export function parsePortShort(raw: string | number): Result<ComposePort[]> {
  const text = String(raw).trim();
  const bad = (why: string) => err<ComposePort[]>(`invalid port "${text}": ${why}`);
  let s = text;
  let protocol: ComposePort['protocol'] = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    const p = s.slice(slash + 1).toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(p)) return bad(`unknown protocol "${p}" (tcp, udp or sctp)`);
    protocol = p as ComposePort['protocol'];
    s = s.slice(0, slash);
  }
  let ip: string | null = null;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return bad('an IPv6 address is written [addr]:published:target');
    ip = s.slice(1, close);
    if (!isIPv6(ip)) return bad(`"${ip}" is not an IPv6 address`);
    s = s.slice(close + 2);
  }
  const parts = s.split(':');
  let published: string | undefined;
  let target: string;
  if (parts.length === 3 && ip === null) {
    [ip, published, target] = parts as [string, string, string];
    if (!isIPv4(ip)) return bad(`"${ip}" is not an IP address (use ip:published:target)`);
  } else if (parts.length === 2) {
    [published, target] = parts as [string, string];
  } else if (parts.length === 1) {
    target = parts[0]!;
  } else {
    return bad('use [ip:][published:]target[/protocol]');
  }
  const t = parseRange(target);
  if (!t || t.start === 0) return bad(`container port "${target}" must be a number or range between 1 and 65535`);
  let p: { start: number; end: number } | null = null;
  if (published !== undefined && published !== '') {
    p = parseRange(published);
    if (!p) return bad(`published port "${published}" must be a number or range between 0 and 65535`);
  }
  const base = { host_ip: ip, protocol, mode: 'ingress' as const, name: null, app_protocol: null };
  const tCount = t.end - t.start + 1;
  if (tCount > 1 && p && p.end - p.start + 1 !== tCount) {
    return bad('the published and container ranges must be the same length');
  }
  const out: ComposePort[] = [];
  for (let i = 0; i < tCount; i++) {
    let pub: string | null = null;
    if (p) pub = tCount > 1 ? String(p.start + i) : p.start === p.end ? String(p.start) : `${p.start}-${p.end}`;
    if (pub === '0') pub = null;
    out.push({ ...base, target: t.start + i, published: pub });
  }
  return ok(out);
}

/** Long syntax `{target, published, host_ip, protocol, mode}` (already type-checked by the schema). */
export function parsePortLong(raw: Record<string, unknown>): Result<ComposePort> {
  const target = Number(raw.target);
  if (!Number.isInteger(target) || target < 1 || target > 65535) return err(`invalid port: target ${String(raw.target)} must be between 1 and 65535`);
  let published: string | null = null;
  if (raw.published !== undefined && raw.published !== null && raw.published !== '') {
    const r = parseRange(String(raw.published));
    if (!r) return err(`invalid port: published "${String(raw.published)}" must be a number or range between 0 and 65535`);
    published = r.start === r.end ? (r.start === 0 ? null : String(r.start)) : `${r.start}-${r.end}`;
  }
  const protocol = String(raw.protocol ?? 'tcp').toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) return err(`invalid port: unknown protocol "${protocol}" (tcp, udp or sctp)`);
  const hostIp = raw.host_ip == null ? null : String(raw.host_ip);
  if (hostIp !== null && !isIPv4(hostIp) && !isIPv6(hostIp)) return err(`invalid port: host_ip "${hostIp}" is not an IP address`);
  return ok({
    target,
    published,
    host_ip: hostIp,
    protocol: protocol as ComposePort['protocol'],
    mode: raw.mode === 'host' ? 'host' : 'ingress',
    name: raw.name == null ? null : String(raw.name),
    app_protocol: raw.app_protocol == null ? null : String(raw.app_protocol),
  });
}

export function parsePort(raw: unknown): Result<ComposePort[]> {
  if (typeof raw === 'string' || typeof raw === 'number') return parsePortShort(raw);
  if (isMapping(raw)) {
    const r = parsePortLong(raw);
    return r.ok ? ok([r.value]) : r;
  }
  return err('a port is a string like "8080:80" or a mapping with target/published');
}

/** Identity of a port mapping for merging and conflict checks. */
export const portKey = (p: ComposePort) => `${p.host_ip ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol}`;

const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const isPathLike = (s: string) => s.startsWith('/') || s.startsWith('.') || s.startsWith('~');

/** `[source:]target[:mode]`; a source that starts with /, . or ~ is a bind mount, otherwise a named volume. */
export function parseVolumeShort(text: string): Result<ComposeMount> {
  const bad = (why: string) => err<ComposeMount>(`invalid volume "${text}": ${why}`);
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) return bad('use [source:]target[:mode]');
  const [first, second, third] = parts as [string, string?, string?];
  const source = second === undefined ? null : first;
  const target = second === undefined ? first : second;
  if (!target.startsWith('/')) return bad(`the container path "${target}" must be absolute`);
  let readOnly = false;
  let selinux: 'z' | 'Z' | null = null;
  let propagation: string | null = null;
  let nocopy = false;
  for (const mode of third ? third.split(',') : []) {
    if (mode === 'ro') readOnly = true;
    else if (mode === 'rw') readOnly = false;
    else if (mode === 'z' || mode === 'Z') selinux = mode;
    else if (mode === 'nocopy') nocopy = true;
    else if (PROPAGATION.includes(mode)) propagation = mode;
    else if (['consistent', 'cached', 'delegated'].includes(mode)) continue;
    else return bad(`unknown mode "${mode}" (ro, rw, z, Z, nocopy, or a propagation like rshared)`);
  }
  if (source !== null && isPathLike(source)) {
    return ok({
      type: 'bind',
      source,
      target,
      read_only: readOnly,
      bind: { propagation, create_host_path: true, selinux },
      volume: null,
      tmpfs: null,
    });
  }
  if (source !== null && !VOLUME_NAME.test(source)) return bad(`"${source}" is not a volume name or a path (paths start with /, ./ or ~)`);
  if (propagation) return bad(`propagation "${propagation}" applies to bind mounts only`);
  return ok({ type: 'volume', source, target, read_only: readOnly, bind: null, volume: { nocopy, subpath: null }, tmpfs: null });
}

/** Long syntax (already type-checked by the schema). */
export function parseVolumeLong(raw: Record<string, unknown>): Result<ComposeMount> {
  const type = String(raw.type ?? '');
  const target = typeof raw.target === 'string' ? raw.target : '';
  if (!['volume', 'bind', 'tmpfs'].includes(type)) return err(`invalid volume: type "${type}" is not supported (volume, bind or tmpfs)`);
  if (!target.startsWith('/')) return err(`invalid volume: target "${target}" must be an absolute container path`);
  const source = raw.source == null || raw.source === '' ? null : String(raw.source);
  const readOnly = raw.read_only === true;
  if (type === 'bind') {
    if (!source) return err('invalid volume: a bind mount needs a source path');
    const b = isMapping(raw.bind) ? raw.bind : {};
    return ok({
      type: 'bind',
      source,
      target,
      read_only: readOnly,
      bind: {
        propagation: b.propagation == null ? null : String(b.propagation),
        create_host_path: b.create_host_path === true,
        selinux: b.selinux === 'z' || b.selinux === 'Z' ? b.selinux : null,
      },
      volume: null,
      tmpfs: null,
    });
  }
  if (type === 'tmpfs') {
    if (source) return err('invalid volume: a tmpfs mount takes no source');
    const t = isMapping(raw.tmpfs) ? raw.tmpfs : {};
    let size: number | null = null;
    if (t.size != null) {
      const r = parseBytes(t.size);
      if ('error' in r) return err(`invalid volume: tmpfs.size: ${r.error}`);
      size = r.bytes;
    }
    return ok({ type: 'tmpfs', source: null, target, read_only: readOnly, bind: null, volume: null, tmpfs: { size, mode: t.mode == null ? null : Number(t.mode) } });
  }
  if (source !== null && !VOLUME_NAME.test(source)) return err(`invalid volume: "${source}" is not a volume name`);
  const v = isMapping(raw.volume) ? raw.volume : {};
  return ok({
    type: 'volume',
    source,
    target,
    read_only: readOnly,
    bind: null,
    volume: { nocopy: v.nocopy === true, subpath: v.subpath == null ? null : String(v.subpath) },
    tmpfs: null,
  });
}

export function parseVolume(raw: unknown): Result<ComposeMount> {
  if (typeof raw === 'string') return parseVolumeShort(raw);
  if (isMapping(raw)) return parseVolumeLong(raw);
  return err('a volume is a string like "data:/var/lib/data" or a mapping with type/source/target');
}
