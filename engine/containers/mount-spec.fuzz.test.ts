// Property tests for -v, --mount and --tmpfs: any user text is a Mount the contract schema accepts (absolute
// target that is not "/", a sane size and mode) or an `invalid` EngineError; never a crash or a bogus mount.
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Mount } from '../api/containers';
import { EngineError } from '../api/errors';
import { parseByteSize, parseMountSpec, parseTmpfsSpec, parseVolumeSpec } from './mount-spec';

function cleanOr<T>(fn: () => T): T | 'error' {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    expect(err.code).toBe('invalid');
    expect(err.message.length).toBeGreaterThan(0);
    return 'error';
  }
}

function checkMount(m: Mount) {
  const parsed = Mount.safeParse(m);
  expect(parsed.success, JSON.stringify(m)).toBe(true);
  expect(m.target.startsWith('/')).toBe(true);
  expect(path.posix.normalize(m.target)).not.toBe('/');
  if (m.type === 'bind') expect(m.source.startsWith('/')).toBe(true);
  if (m.tmpfsSizeBytes !== undefined) expect(Number.isSafeInteger(m.tmpfsSizeBytes) && m.tmpfsSizeBytes > 0).toBe(true);
}

const pathish = fc.oneof(
  fc.constantFrom('/', '/data', '/a/../', '/..', '//', '/.', '.', './x', '../x', 'data', 'my-vol', 'a b', '', '/tmp/x', '/a:b', 'C:\\x', '/..//.'),
  fc.stringMatching(/^\/?[a-z./_-]{0,10}$/),
);
const size = fc.oneof(fc.constantFrom('64m', '1g', '0', '0.0001', '1.5k', '9'.repeat(400), '9'.repeat(20) + 'p', '1e3', '10 MiB', '-1', 'm', '1kb', '1KiB'), fc.stringMatching(/^[0-9.]{1,25}[kmgtpKMGTP]?(i?b)?$/));
const mode = fc.oneof(fc.constantFrom('1777', '0', '7777', '17777', '8', '-1', ''), fc.stringMatching(/^[0-9]{1,5}$/));

describe('mount flag fuzz', () => {
  test('-v values', () => {
    const opts = fc.array(fc.constantFrom('ro', 'rw', 'z', 'Z', 'nocopy', 'rshared', 'private', 'bogus', ''), { maxLength: 3 }).map((o) => o.join(','));
    const spec = fc.oneof(
      fc.tuple(pathish, pathish, fc.option(opts, { nil: undefined })).map(([s, t, o]) => [s, t, ...(o === undefined ? [] : [o])].join(':')),
      pathish,
      fc.string({ maxLength: 24 }),
    );
    fc.assert(
      fc.property(spec, fc.constantFrom(undefined, '/home/u/proj'), (s, cwd) => {
        const r = cleanOr(() => parseVolumeSpec(s, { cwd }));
        if (r !== 'error') checkMount(r);
      }),
      { numRuns: 3000 },
    );
  });

  test('--mount values (CSV with quotes)', () => {
    const field = fc.oneof(
      fc.constantFrom('type=bind', 'type=volume', 'type=tmpfs', 'type=npipe', 'readonly', 'ro=false', 'ro=maybe', 'volume-nocopy', 'bind-propagation=rshared', 'bind-propagation=x', 'consistency=cached', 'bogus=1', 'source=', '"target=/a,b"', '"', 'TYPE=bind'),
      pathish.map((p) => `source=${p}`),
      pathish.map((p) => `target=${p}`),
      pathish.map((p) => `dst=${p}`),
      size.map((s) => `tmpfs-size=${s}`),
      mode.map((m) => `tmpfs-mode=${m}`),
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(field, { maxLength: 5 }).map((f) => f.join(',')), fc.string({ maxLength: 24 })), (s) => {
        const r = cleanOr(() => parseMountSpec(s));
        if (r !== 'error') checkMount(r);
      }),
      { numRuns: 3000 },
    );
  });

  test('--tmpfs values', () => {
    const opt = fc.oneof(size.map((s) => `size=${s}`), mode.map((m) => `mode=${m}`), fc.constantFrom('ro', 'rw', 'noexec', 'exec', 'size=', 'mode', ''));
    fc.assert(
      fc.property(pathish, fc.array(opt, { maxLength: 3 }), (target, opts) => {
        const r = cleanOr(() => parseTmpfsSpec(opts.length ? `${target}:${opts.join(',')}` : target));
        if (r !== 'error') checkMount(r);
      }),
      { numRuns: 2000 },
    );
  });

  test('sizes are positive safe integers or a clean error', () => {
    fc.assert(
      fc.property(size, (s) => {
        const r = cleanOr(() => parseByteSize(s));
        if (r !== 'error') expect(Number.isSafeInteger(r) && r > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  // Regression (found by this suite): 400 digits gave tmpfsSizeBytes Infinity, stored as null.
  test.each(['9'.repeat(400), '99999999999999999999p'])('size %# that overflows is a clean error', (s) => {
    expect(() => parseTmpfsSpec(`/tmp:size=${s}`)).toThrow(/too large|invalid/);
    expect(() => parseMountSpec(`type=tmpfs,target=/t,tmpfs-size=${s}`)).toThrow(EngineError);
  });
});
