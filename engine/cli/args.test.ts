import { describe, expect, it } from 'vitest';
import { parseArgs } from './args';
import { parseDuration, parseTimeArg, formatNanoTime } from './time';

const specs = {
  detach: { type: 'bool', short: 'd', description: '' },
  interactive: { type: 'bool', short: 'i', description: '' },
  tty: { type: 'bool', short: 't', description: '' },
  name: { type: 'string', description: '' },
  env: { type: 'list', short: 'e', description: '' },
} as const;

describe('docker-style flags', () => {
  it('parses bundled shorts, = values, repeated lists and stops at the command when not interspersed', () => {
    const r = parseArgs(['-dit', '--name=web', '-e', 'A=1', '-eB=2', 'busybox', 'echo', '-n', 'hi'], specs, { interspersed: false });
    expect(r.flags).toEqual({ detach: true, interactive: true, tty: true, name: 'web', env: ['A=1', 'B=2'] });
    expect(r.args).toEqual(['busybox', 'echo', '-n', 'hi']);
  });

  it('rejects unknown flags and missing values with the flag named', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow('unknown flag: --nope');
    expect(() => parseArgs(['-x'], specs)).toThrow("unknown shorthand flag: 'x' in -x");
    expect(() => parseArgs(['--name'], specs)).toThrow('flag needs an argument: --name');
  });

  it('treats everything after -- as arguments', () => {
    expect(parseArgs(['--', '--name', 'x'], specs).args).toEqual(['--name', 'x']);
  });
});

describe('time arguments', () => {
  it('accepts unix seconds, RFC 3339 and Go durations', () => {
    const now = 1_700_000_000_000;
    expect(parseTimeArg('1700000000.5', now)).toBe(1_700_000_000_500);
    expect(parseTimeArg('2026-01-02T15:04:05Z', now)).toBe(Date.parse('2026-01-02T15:04:05Z'));
    expect(parseTimeArg('1h30m', now)).toBe(now - 5_400_000);
    expect(parseDuration('10x')).toBeNull();
    expect(() => parseTimeArg('yesterday', now)).toThrow(/invalid time "yesterday"/);
  });

  it('prints nanosecond timestamps like docker', () => {
    expect(formatNanoTime(Date.parse('2026-01-02T15:04:05.123Z'))).toBe('2026-01-02T15:04:05.123000000Z');
  });
});
