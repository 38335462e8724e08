import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineError } from '../api/errors';
import { credentialKey, familiarName, formatReference, isLoopbackHost, parseReference } from './reference';

const D = 'sha256:' + 'ab'.repeat(32);

describe('parseReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest'],
    ['index.docker.io/library/alpine:3', 'docker.io/library/alpine:3'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:v1', 'localhost:5000/a/b:v1'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
    ['[::1]:5000/x:y', '[::1]:5000/x:y'],
    ['quay.io/org/img', 'quay.io/org/img:latest'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`],
    [`ghcr.io/a/b:t@${D}`, `ghcr.io/a/b:t@${D}`],
    ['a_b__c-d.e', 'docker.io/library/a_b__c-d.e:latest'],
    ['org/a_b__c-d.e', 'docker.io/org/a_b__c-d.e:latest'],
  ])('%s → %s', (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['Busybox', 'lowercase'],
    ['busybox:', 'not a valid tag'],
    ['busybox:-x', 'not a valid tag'],
    ['busybox@sha256:abc', '64 lowercase hex'],
    ['busybox@md5:' + 'a'.repeat(32), 'not supported'],
    ['a//b', 'empty path component'],
    ['a/-b', 'not a valid path component'],
    ['host:port/x', 'registry host'],
    ['-bad.io/x', 'registry host'],
    ['with space', 'whitespace'],
    ['ab'.repeat(32), 'image id'],
    ['x/' + 'a'.repeat(300), 'longer than'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(() => parseReference(input)).toThrow(reason);
    try {
      parseReference(input);
    } catch (err) {
      expect((err as EngineError).code).toBe('invalid');
    }
  });

  it('names the short form docker prints', () => {
    expect(familiarName(parseReference('busybox'))).toBe('busybox:latest');
    expect(familiarName(parseReference('user/app:1'))).toBe('user/app:1');
    expect(familiarName(parseReference('localhost:5000/x'))).toBe('localhost:5000/x:latest');
  });

  it('maps Docker Hub to its config key and knows loopback hosts', () => {
    expect(credentialKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialKey('localhost:5000')).toBe('localhost:5000');
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('[::1]:1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('example.com:5000')).toBe(false);
    expect(isLoopbackHost('127.example.com')).toBe(false);
  });
});

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[_-][a-z0-9]{1,8}){0,2}$/);
const host = fc.oneof(fc.constant('localhost:5000'), fc.stringMatching(/^[a-z]{1,8}\.[a-z]{2,4}(?::[1-9][0-9]{0,4})?$/), fc.constant(''));
const tag = fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined });
const digest = fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`), { nil: undefined });

describe('parseReference properties', () => {
  it('normalising is idempotent and keeps every part', () => {
    fc.assert(
      fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digest, (h, path, t, d) => {
        const input = `${h ? `${h}/` : ''}${path.join('/')}${t !== undefined ? `:${t}` : ''}${d ? `@${d}` : ''}`;
        const ref = parseReference(input);
        const again = parseReference(formatReference(ref));
        expect(again).toEqual(ref);
        expect(formatReference(ref).endsWith(path.join('/') + (t !== undefined ? `:${t}` : d ? '' : ':latest') + (d ? `@${d}` : ''))).toBe(true);
        if (d) expect(ref.digest).toBe(d);
        expect(ref.domain).toBe(h || 'docker.io');
      }),
    );
  });

  it('any string either parses to a well-formed reference or fails with invalid', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          const ref = parseReference(s);
          expect(ref.path.length).toBeGreaterThan(0);
          expect(ref.tag !== undefined || ref.digest !== undefined).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(EngineError);
          expect((err as EngineError).code).toBe('invalid');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
