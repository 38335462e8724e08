// The parsing rules Docker clients rely on, as moby implements them.
import { describe, expect, it } from 'vitest';
import { boolValue, compareVersions, parseFilters, timestampMs } from './http';
import { Router, splitVersion } from './router';
import { pullReference } from './routes/images';

describe('docker API parsing', () => {
  it('booleans follow moby BoolValue: "", 0, no, false, none are false in any case', () => {
    for (const v of ['', '0', 'no', 'false', 'FALSE', 'False', 'none', ' None ']) expect(boolValue(v)).toBe(false);
    for (const v of ['1', 'true', 'True', 'yes', 'on', 'anything']) expect(boolValue(v)).toBe(true);
    expect(boolValue(null)).toBe(false);
  });

  it('filters come as the Go client map or the docker-py list, with the same meaning', () => {
    const go = parseFilters('{"label":{"a=b":true,"c":true,"off":false},"status":{"exited":true}}');
    const py = parseFilters('{"label":["a=b","c"],"status":["exited"]}');
    expect([...go]).toEqual([
      ['label', ['a=b', 'c']],
      ['status', ['exited']],
    ]);
    expect([...py]).toEqual([...go]);
    expect(() => parseFilters('{"label":')).toThrow(/invalid filter/);
    expect(() => parseFilters('["label"]')).toThrow(/JSON object/);
  });

  it('since/until are unix secs[.nanos] (or RFC 3339), in milliseconds', () => {
    expect(timestampMs('1732560000', 'since')).toBe(1732560000000);
    expect(timestampMs('1732560000.123456789', 'since')).toBe(1732560000123);
    expect(timestampMs('1732560000.5', 'since')).toBe(1732560000500);
    expect(timestampMs('2024-11-25T18:40:00Z', 'since')).toBe(Date.parse('2024-11-25T18:40:00Z'));
    expect(timestampMs(null, 'since')).toBeUndefined();
    expect(() => timestampMs('soon', 'until')).toThrow(/invalid value for until/);
  });

  it('API versions compare numerically', () => {
    expect(compareVersions('1.9', '1.24')).toBeLessThan(0);
    expect(compareVersions('1.44', '1.44')).toBe(0);
    expect(compareVersions('1.50', '1.44')).toBeGreaterThan(0);
  });

  it('routes match with or without /vX.Y, fixed paths before {id}, image names with / and :', () => {
    const router = new Router();
    const hit = (name: string) => () => void name;
    router.add('GET', '/containers/json', hit('list')).add('GET', '/containers/{id}/json', hit('inspect')).add('GET', '/images/{name:.+}/json', hit('image'));
    expect(splitVersion('/v1.44/containers/json')).toEqual({ version: '1.44', path: '/containers/json' });
    expect(splitVersion('/_ping')).toEqual({ version: null, path: '/_ping' });
    expect(router.match('GET', '/containers/json')?.params).toEqual({});
    expect(router.match('GET', '/containers/web/json')?.params).toEqual({ id: 'web' });
    expect(router.match('GET', '/images/localhost:5000/team/app:1.0/json')?.params).toEqual({ name: 'localhost:5000/team/app:1.0' });
    expect(router.match('GET', '/images/docker.io%2Flibrary%2Falpine/json')?.params).toEqual({ name: 'docker.io/library/alpine' });
    expect(router.match('POST', '/containers/json')).toBeNull();
  });

  it('fromImage and tag join back into one reference', () => {
    expect(pullReference('docker.io/library/alpine', 'latest')).toBe('docker.io/library/alpine:latest');
    expect(pullReference('redis', null)).toBe('redis');
    expect(pullReference('alpine', 'sha256:' + 'a'.repeat(64))).toBe(`alpine@sha256:${'a'.repeat(64)}`);
  });
});
