import { describe, expect, it } from 'vitest';
import { formatCidr, hosts, overlaps, parseCidr, pickSubnet } from './subnet';

describe('subnets', () => {
  it('parses CIDRs and refuses host bits and junk', () => {
    expect(formatCidr(parseCidr('10.89.3.0/24'))).toBe('10.89.3.0/24');
    expect(() => parseCidr('10.89.3.1/24')).toThrow(/host bits are set; did you mean 10.89.3.0\/24/);
    expect(() => parseCidr('10.300.0.0/16')).toThrow(/IPv4 CIDR/);
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/IPv4 CIDR/);
  });

  it('detects overlap both ways', () => {
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.89.1.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.89.1.0/24'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(overlaps(parseCidr('10.89.1.0/24'), parseCidr('10.89.2.0/24'))).toBe(false);
  });

  it('lists usable hosts without network and broadcast', () => {
    const all = [...hosts(parseCidr('10.1.1.0/30'))];
    expect(all.length).toBe(2);
  });

  it('picks the first free /24 from a start index, skipping taken ranges and wrapping', () => {
    expect(formatCidr(pickSubnet([])!)).toBe('10.88.0.0/24');
    expect(formatCidr(pickSubnet([parseCidr('10.88.0.0/23')])!)).toBe('10.88.2.0/24');
    expect(formatCidr(pickSubnet([], 1023)!)).toBe('10.91.255.0/24');
    expect(formatCidr(pickSubnet([parseCidr('10.91.255.0/24')], 1023)!)).toBe('10.88.0.0/24');
    expect(pickSubnet([parseCidr('10.0.0.0/8')])).toBeNull();
  });
});
