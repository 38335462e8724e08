// Property tests for the CLI's own parsers (flags and time arguments): whatever a user types, the answer is
// a parse result or a UsageError (exit 125 with a message), never a crash or a silently accepted unknown flag.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseArgs, type FlagSpecs } from './args';
import { UsageError } from './errors';
import { formatNanoTime, parseDuration, parseTimeArg } from './time';

const specs = {
  detach: { type: 'bool', short: 'd', description: 'd' },
  interactive: { type: 'bool', short: 'i', description: 'i' },
  tty: { type: 'bool', short: 't', description: 't' },
  name: { type: 'string', description: 'n' },
  env: { type: 'list', short: 'e', description: 'e' },
  publish: { type: 'list', short: 'p', description: 'p' },
} satisfies FlagSpecs;

function usageOr<T>(fn: () => T): T | 'usage' {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    return 'usage';
  }
}

const token = fc.oneof(
  fc.constantFrom('-d', '-it', '-dit', '-e', '-eA=1', '-e=A', '-p', '-p80:80', '--name', '--name=x', '--name=', '--detach=false', '--detach=maybe', '--tty=1', '--', '-', '--env', 'busybox', 'sh', '-c', '-x', '--bogus', '--constructor', '--toString', '--__proto__', '--hasOwnProperty', '-ü'),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 6 }).map((s) => `--${s}`),
  fc.string({ maxLength: 4 }).map((s) => `-${s}`),
);

describe('parseArgs fuzz', () => {
  test('any argv gives flags of the declared types, or a UsageError', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), fc.boolean(), (argv, interspersed) => {
        const r = usageOr(() => parseArgs(argv, specs, { interspersed }));
        if (r === 'usage') return;
        expect(Object.keys(r.flags).sort()).toEqual(Object.keys(specs).sort());
        for (const [name, spec] of Object.entries(specs)) {
          const v = (r.flags as Record<string, unknown>)[name];
          if (spec.type === 'bool') expect(typeof v).toBe('boolean');
          else if (spec.type === 'list') expect(Array.isArray(v) && v.every((x) => typeof x === 'string')).toBe(true);
          else expect(v === undefined || typeof v === 'string').toBe(true);
        }
        expect(r.args.every((a) => argv.includes(a))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  test('everything after -- is positional, untouched', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 4 }), (rest) => {
        expect(parseArgs(['--', ...rest], specs).args).toEqual(rest);
      }),
      { numRuns: 300 },
    );
  });

  // Regression (found by this suite): `name in specs` saw Object.prototype, so `--constructor x` was accepted
  // as a flag and `--toString` asked for a value instead of saying the flag is unknown.
  test.each(['--constructor', '--toString=1', '--__proto__', '--hasOwnProperty', '--valueOf'])('inherited property %s is an unknown flag', (flag) => {
    expect(() => parseArgs([flag, 'x'], specs)).toThrow(/unknown flag/);
  });
});

describe('time argument fuzz', () => {
  test('any text is finite unix milliseconds or a UsageError', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('10m', '1h30m', '1.5s', '0', '1700000000', '1700000000.5', '2026-01-02T15:04:05Z', '9'.repeat(400), '9'.repeat(310) + 'h', '99999999999999', '1e9', ' 10m ', 'm', '-1', 'NaN', 'Infinity'),
      fc.stringMatching(/^[0-9.]{1,12}(ns|us|µs|ms|s|m|h){0,3}$/),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = usageOr(() => parseTimeArg(t, 1_700_000_000_000));
        if (r !== 'usage') expect(() => formatNanoTime(r)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  test('a duration is a sum of its parts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000])), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
        expect(parseDuration(text)).toBe(parts.reduce((s, [n, [, ms]]) => s + n * (ms as number), 0));
      }),
      { numRuns: 300 },
    );
  });

  // Regression (found by this suite): 400 nines parsed as Infinity (and 14 nines of seconds as a time past
  // year 275760), which crashed toISOString() when the time was printed or sent.
  test.each(['9'.repeat(400), '9'.repeat(310) + 'h', '99999999999999'])('an out-of-range time %# is a usage error', (t) => {
    expect(() => parseTimeArg(t)).toThrow(UsageError);
  });
});
