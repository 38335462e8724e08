import { describe, expect, it } from 'vitest';
import { parseByteSize, parseMountSpec, parseTmpfsSpec, parseVolumeSpec } from './mount-spec';

const defaults = { readOnly: false, createHostPath: false, noCopy: false };

describe('-v / Binds', () => {
  it('reads named, anonymous and bind forms with their options', () => {
    expect(parseVolumeSpec('data:/var/lib/data')).toEqual({ type: 'volume', source: 'data', target: '/var/lib/data', ...defaults });
    expect(parseVolumeSpec('data:/d:ro,nocopy')).toMatchObject({ type: 'volume', readOnly: true, noCopy: true });
    expect(parseVolumeSpec('/cache')).toEqual({ type: 'volume', source: '', target: '/cache', ...defaults });
    expect(parseVolumeSpec('/cache:ro')).toMatchObject({ type: 'volume', source: '', target: '/cache', readOnly: true });
    expect(parseVolumeSpec('/srv/www:/usr/share/www:ro,rshared,z')).toEqual({
      type: 'bind',
      source: '/srv/www',
      target: '/usr/share/www',
      ...defaults,
      readOnly: true,
      createHostPath: true,
      bindPropagation: 'rshared',
    });
    expect(parseVolumeSpec('/srv/www:/w:rw')).toMatchObject({ type: 'bind', readOnly: false, createHostPath: true });
  });

  it('refuses relative host paths and bad names with the reason', () => {
    expect(() => parseVolumeSpec('src/app:/app')).toThrow(/cannot be a path.*absolute/);
    expect(() => parseVolumeSpec('./app:/app')).toThrow(/absolute/);
    expect(() => parseVolumeSpec('..:/app')).toThrow(/\.\./);
    expect(() => parseVolumeSpec('b@d:/app')).toThrow(/invalid characters/);
    expect(() => parseVolumeSpec('data:app')).toThrow(/must be an absolute path/);
    expect(() => parseVolumeSpec('data:/')).toThrow(/cannot be "\/"/);
    expect(() => parseVolumeSpec('data:/a:rw:extra')).toThrow(/\[SOURCE:\]TARGET\[:OPTIONS\]/);
    expect(() => parseVolumeSpec('data:/a:shared')).toThrow(/unknown option "shared"/);
  });

  it('resolves ./ paths against the CLI working directory, as the docker CLI does', () => {
    expect(parseVolumeSpec('./site:/w', { cwd: '/home/me/proj' })).toMatchObject({ type: 'bind', source: '/home/me/proj/site' });
  });
});

describe('--mount', () => {
  it('reads bind, volume and tmpfs fields', () => {
    expect(parseMountSpec('type=bind,source=/srv,target=/srv,readonly,bind-propagation=rslave')).toEqual({
      type: 'bind',
      source: '/srv',
      target: '/srv',
      ...defaults,
      readOnly: true,
      bindPropagation: 'rslave',
    });
    expect(parseMountSpec('src=data,dst=/d,volume-nocopy')).toEqual({ type: 'volume', source: 'data', target: '/d', ...defaults, noCopy: true });
    expect(parseMountSpec('type=volume,target=/anon,readonly=false')).toEqual({ type: 'volume', source: '', target: '/anon', ...defaults });
    expect(parseMountSpec('type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({
      type: 'tmpfs',
      source: '',
      target: '/run',
      ...defaults,
      tmpfsSizeBytes: 64 * 1024 * 1024,
      tmpfsMode: 0o1770,
    });
    expect(parseMountSpec('type=bind,"source=/a,b",target=/x')).toMatchObject({ source: '/a,b' });
  });

  it('a --mount bind never creates the host path and needs an absolute source', () => {
    expect(parseMountSpec('type=bind,source=/srv,target=/srv').createHostPath).toBe(false);
    expect(() => parseMountSpec('type=bind,source=rel,target=/srv')).toThrow(/absolute host path/);
    expect(() => parseMountSpec('type=bind,target=/srv')).toThrow(/needs source/);
  });

  it('refuses unknown types, fields and misplaced options', () => {
    expect(() => parseMountSpec('type=npipe,source=x,target=/x')).toThrow(/not supported/);
    expect(() => parseMountSpec('type=volume,target=/x,colour=red')).toThrow(/unknown field "colour"/);
    expect(() => parseMountSpec('type=volume,target=/x,tmpfs-size=1m')).toThrow(/only for type=tmpfs/);
    expect(() => parseMountSpec('type=bind,source=/a,target=/x,volume-nocopy')).toThrow(/only for type=volume/);
    expect(() => parseMountSpec('type=tmpfs,target=/x,tmpfs-mode=999')).toThrow(/octal/);
    expect(() => parseMountSpec('type=volume,source=a/b,target=/x')).toThrow(/cannot be a path/);
    expect(() => parseMountSpec('type=volume,source=data')).toThrow(/no target/);
  });
});

describe('--tmpfs', () => {
  it('keeps size and mode, accepts docker flags, refuses the rest', () => {
    expect(parseTmpfsSpec('/run')).toEqual({ type: 'tmpfs', source: '', target: '/run', ...defaults });
    expect(parseTmpfsSpec('/run:rw,noexec,nosuid,size=65536k,mode=1777')).toMatchObject({ tmpfsSizeBytes: 65536 * 1024, tmpfsMode: 0o1777 });
    expect(() => parseTmpfsSpec('/run:exec')).toThrow(/not supported/);
    expect(() => parseTmpfsSpec('run')).toThrow(/absolute/);
  });

  it('sizes use docker units', () => {
    expect(parseByteSize('1g')).toBe(1024 ** 3);
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('1.5k')).toBe(1536);
    expect(() => parseByteSize('lots')).toThrow(/invalid size/);
  });
});
