// IPv4 subnet arithmetic for the engine's IPAM: parse CIDRs, test overlap, pick a free /24 for a new network
// that collides neither with another network of ours nor with any route the host already has.
import { invalid } from '../api/errors';

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIp(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.1.2.0/24` → Cidr; a bare address is a /32. Host bits set (`10.1.2.3/24`) are refused, like docker. */
export function parseCidr(text: string, what = 'subnet'): Cidr {
  const [ip, len, extra] = text.split('/');
  const base = parseIp(ip ?? '');
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (base === null || extra !== undefined || !(prefix >= 0 && prefix <= 32)) {
    throw invalid(`invalid ${what} "${text}": expected an IPv4 CIDR such as 10.89.0.0/24`);
  }
  if ((base & mask(prefix)) >>> 0 !== base) {
    throw invalid(`invalid ${what} "${text}": host bits are set; did you mean ${formatIp((base & mask(prefix)) >>> 0)}/${prefix}?`);
  }
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Usable host addresses in order, without the network and broadcast addresses (for prefixes below /31). */
export function* hosts(c: Cidr): Generator<number> {
  const n = size(c);
  if (n <= 2) {
    for (let i = 0; i < n; i++) yield c.base + i;
    return;
  }
  for (let i = 1; i < n - 1; i++) yield c.base + i;
}

/** The pool new networks are cut from: 1024 /24s in 10.88.0.0/14 (the range podman uses too, hence the start index). */
export const POOL: Cidr = { base: parseIp('10.88.0.0')!, prefix: 14 };

/**
 * The first /24 of the pool, starting at `startIndex` and wrapping, that overlaps nothing in `taken`.
 * Engines on different roots start at different indexes so their networks rarely meet even before their
 * bridges exist (a bridge and its route appear only when the first container joins).
 */
export function pickSubnet(taken: Cidr[], startIndex = 0): Cidr | null {
  const count = size(POOL) / 256;
  for (let i = 0; i < count; i++) {
    const candidate: Cidr = { base: POOL.base + ((startIndex + i) % count) * 256, prefix: 24 };
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  return null;
}
