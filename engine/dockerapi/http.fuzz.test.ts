// Property tests for what the Docker API reads off the wire: query strings (filters, booleans, integers,
// timestamps), the API version in the path and `POST /containers/create` bodies. Every input is a value or
// a clean client error (EngineError → 4xx, HttpError); never a crash (which would be a 500).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../api/errors';
import { createInput } from './containers-map';
import { boolValue, compareVersions, HttpError, intParam, parseFilters, parseJsonBody, statusForError, timestampMs } from './http';
import { splitVersion } from './router';

function clientErrorOr<T>(fn: () => T): T | 'error' {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof EngineError) && !(err instanceof HttpError)) throw err;
    const { status, message } = statusForError(err);
    expect(status >= 400 && status < 500 || status === 501, `${status} ${message}`).toBe(true);
    expect(message.length).toBeGreaterThan(0);
    return 'error';
  }
}

const anyJson = fc.jsonValue({ maxDepth: 4 });

describe('query string fuzz', () => {
  test('filters: any text is a map of string lists or a 400', () => {
    const filterish = fc.oneof(
      fc.string({ maxLength: 30 }),
      anyJson.map((v) => JSON.stringify(v)),
      fc.dictionary(fc.constantFrom('label', 'status', 'name', '__proto__', 'constructor'), fc.oneof(fc.array(anyJson, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 }), anyJson)).map((v) => JSON.stringify(v)),
      fc.constantFrom('{"__proto__":{"x":true}}', '{"label":{"a":true,"b":false}}', '{"label":["a",1,null,{}]}', 'null', '[]', '{"a":null}', '{'),
    );
    fc.assert(
      fc.property(filterish, (raw) => {
        const r = clientErrorOr(() => parseFilters(raw));
        if (r === 'error') return;
        for (const [k, v] of r) {
          expect(typeof k).toBe('string');
          expect(Array.isArray(v) && v.every((x) => typeof x === 'string')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('booleans follow moby: only "", 0, no, false, none (any case, trimmed) are false', () => {
    const falsy = new Set(['', '0', 'no', 'false', 'none']);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('TRUE', ' No ', 'NONE', '1', 'yes', 'False')), (v) => {
        expect(boolValue(v)).toBe(!falsy.has(v.trim().toLowerCase()));
      }),
      { numRuns: 1000 },
    );
  });

  test('integers are integers or a 400', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 10 }), fc.integer().map(String), fc.constantFrom('1e400', '-0', '0x10', '1.5', ' 3 ', 'Infinity', 'NaN')), (v) => {
        const r = clientErrorOr(() => intParam(new URLSearchParams({ t: v }), 't'));
        if (r !== 'error' && r !== undefined) expect(Number.isInteger(r)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('since/until timestamps are times a Date can hold, or a 400', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^-?[0-9]{1,400}(\.[0-9]{0,12})?$/), fc.constantFrom('1700000000.123456789', '2026-01-02T15:04:05Z', '9'.repeat(400), '-' + '9'.repeat(20))), (v) => {
        const r = clientErrorOr(() => timestampMs(v, 'since'));
        if (r !== 'error' && r !== undefined) expect(() => new Date(r).toISOString()).not.toThrow();
      }),
      { numRuns: 1500 },
    );
  });

  // Regression (found by this suite): `since=` with 400 digits was Infinity ms, a RangeError when formatted.
  test.each(['9'.repeat(400), '9'.repeat(17)])('timestamp %# past the Date range is a 400', (v) => {
    expect(() => timestampMs(v, 'since')).toThrow(/not a unix timestamp/);
  });

  test('API versions in the path compare as numbers, consistently', () => {
    const version = fc.stringMatching(/^[0-9.]{1,12}$/);
    fc.assert(
      fc.property(version, version, (a, b) => {
        const { version: v } = splitVersion(`/v${a}/info`);
        expect(v).toBe(a);
        const ab = compareVersions(a, b);
        expect(Number.isFinite(ab)).toBe(true);
        expect(Math.sign(ab) + Math.sign(compareVersions(b, a))).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('request body fuzz', () => {
  test('any bytes are JSON or a 400', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), anyJson.map((v) => Buffer.from(JSON.stringify(v)))), (buf) => {
        clientErrorOr(() => parseJsonBody(buf));
      }),
      { numRuns: 1000 },
    );
  });

  // Bodies shaped like docker's: the right keys with arbitrary values, at every level the mapper reads.
  const keyed = (keys: string[], value: fc.Arbitrary<unknown>) => fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 5 });
  const leaf = fc.oneof(anyJson, fc.constantFrom('/data', 'vol:/data:ro', '/a:/b:rshared', '80/tcp', '80', 'sctp', '70000/tcp', 'bridge', 'container:x', 'host', 'none', '', -1, 0, 1.5, 1e300));
  const hostConfig = keyed(
    ['Binds', 'Mounts', 'Tmpfs', 'PortBindings', 'PublishAllPorts', 'NetworkMode', 'RestartPolicy', 'Memory', 'NanoCpus', 'PidsLimit', 'AutoRemove', 'ReadonlyRootfs', 'VolumesFrom', 'CapAdd', 'Privileged'],
    fc.oneof(
      leaf,
      fc.array(fc.oneof(leaf, keyed(['Type', 'Source', 'Target', 'ReadOnly', 'BindOptions', 'TmpfsOptions', 'VolumeOptions'], fc.oneof(leaf, keyed(['Propagation', 'SizeBytes', 'Mode', 'NoCopy', 'CreateMountpoint'], leaf)))), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('80/tcp', '53/udp', '1/sctp', 'x', '0', '/tmp', '/run'), fc.oneof(leaf, fc.array(keyed(['HostIp', 'HostPort'], leaf), { maxLength: 2 })), { maxKeys: 3 }),
      keyed(['Name', 'MaximumRetryCount'], leaf),
    ),
  );
  const body = fc.oneof(
    anyJson,
    keyed(
      ['Image', 'Cmd', 'Entrypoint', 'Env', 'Labels', 'ExposedPorts', 'Volumes', 'Healthcheck', 'HostConfig', 'NetworkingConfig', 'StopTimeout', 'Tty', 'WorkingDir', 'User'],
      fc.oneof(leaf, hostConfig, keyed(['Test', 'Interval', 'Timeout', 'StartPeriod', 'Retries'], leaf), keyed(['EndpointsConfig'], fc.dictionary(fc.constantFrom('default', 'bridge', 'front'), keyed(['Aliases', 'IPAMConfig'], fc.oneof(leaf, keyed(['IPv4Address'], leaf))), { maxKeys: 2 }))),
    ).map((c) => ({ ...c, HostConfig: c.HostConfig ?? {} })),
  );

  test('POST /containers/create: any body maps to an input or a 4xx', () => {
    fc.assert(
      fc.property(body, fc.option(fc.string({ maxLength: 8 }), { nil: null }), (generated, name) => {
        // Through JSON, as the server reads it (fast-check may build null-prototype objects JSON.parse never does).
        const b: unknown = JSON.parse(JSON.stringify(generated));
        const r = clientErrorOr(() => createInput(b, name));
        if (r === 'error') return;
        // The input goes on to containers.create, whose zod schema is the next gate; it must be plain JSON.
        expect(JSON.parse(JSON.stringify(r.input))).toBeTypeOf('object');
        expect(r.warnings.every((w) => typeof w === 'string')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
