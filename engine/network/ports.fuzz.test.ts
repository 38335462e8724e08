// Property tests for `-p` and `-P` parsing: any user text is a valid binding (ports 1-65535, matching ranges,
// a real IP) or an `invalid` EngineError that quotes the spec; never a crash or an out-of-range port.
import fc from 'fast-check';
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { PortBinding } from '../api/containers';
import { EngineError } from '../api/errors';
import { parsePortSpec, publishAll } from './ports';

function cleanOr<T>(fn: () => T): T | 'error' {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    expect(err.code).toBe('invalid');
    return 'error';
  }
}

const port = fc.oneof(fc.integer({ min: 0, max: 70000 }).map(String), fc.constantFrom('', '0', '65535', '65536', '00080', '1-3', '3-1', '1-65535', '-', '1-', 'x', ' 80', '80 '));
const ip = fc.oneof(fc.ipV4(), fc.ipV6().map((a) => `[${a}]`), fc.constantFrom('', 'localhost', '[::1', '::1', '[]', '1.2.3', '[1.2.3.4]'));
const spec = fc.oneof(
  fc.tuple(fc.option(ip, { nil: undefined }), fc.option(port, { nil: undefined }), port, fc.option(fc.constantFrom('tcp', 'udp', 'UDP', 'sctp', '', 'tcp/udp'), { nil: undefined })).map(
    ([i, h, c, p]) => `${i !== undefined ? `${i}:` : ''}${h !== undefined ? `${h}:` : ''}${c}${p !== undefined ? `/${p}` : ''}`,
  ),
  fc.string({ maxLength: 24 }),
  fc.stringMatching(/^[0-9:\-/[\].a-f]{0,20}$/),
);

describe('parsePortSpec fuzz', () => {
  test('any -p text gives a schema-valid binding or a clean invalid error', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const r = cleanOr(() => parsePortSpec(s));
        if (r === 'error') return;
        expect(PortBinding.safeParse(r).success).toBe(true);
        const range = r.range ?? 1;
        expect(r.containerPort + range - 1).toBeLessThanOrEqual(65535);
        if (r.hostPort !== 0) expect(r.hostPort + range - 1).toBeLessThanOrEqual(65535);
        if (r.hostIp) expect(net.isIP(r.hostIp)).not.toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  test('a well-formed spec reads back exactly', () => {
    fc.assert(
      fc.property(fc.option(fc.ipV4(), { nil: '' }), fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 1, max: 100 }), fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'), (hostIp, h, c, n, protocol) => {
        const r = (start: number) => (n > 1 ? `${start}-${start + n - 1}` : `${start}`);
        const text = `${hostIp ? `${hostIp}:` : ''}${r(h)}:${r(c)}/${protocol}`;
        expect(parsePortSpec(text)).toEqual({ hostIp, hostPort: h, containerPort: c, protocol, range: n });
      }),
      { numRuns: 500 },
    );
  });

  test('-P over arbitrary exposed keys gives valid bindings or a clean error', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 10 }), port.map((p) => `${p}/tcp`), port.map((p) => `${p}/udp`)), { maxLength: 4 }), (keys) => {
        const r = cleanOr(() => publishAll(keys));
        if (r !== 'error') for (const b of r) expect(PortBinding.safeParse(b).success).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
