// The create-body translation as docker CLI 28 and docker-py send it (bodies trimmed from recorded requests).
import { describe, expect, it } from 'vitest';
import { ContainerCreateInput } from '../api/containers';
import { createInput } from './containers-map';

const parse = (body: object) => ContainerCreateInput.parse(createInput({ Image: 'img', ...body }, null).input);

describe('POST /containers/create HostConfig mapping', () => {
  it('docker run -p 127.0.0.1:8080:80 -p 53/udp -P --expose 9000 --network default', () => {
    const c = parse({
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} },
      HostConfig: { NetworkMode: 'default', PublishAllPorts: true, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }] } },
      NetworkingConfig: { EndpointsConfig: { default: {} } },
    });
    expect(c.networkMode).toBe('default');
    expect(c.networks).toEqual({});
    expect(c.publishAll).toBe(true);
    expect(c.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
      { hostIp: '', hostPort: 0, containerPort: 9000, protocol: 'tcp' },
    ]);
  });

  it('compose: a project network with aliases, and a fixed address', () => {
    const c = parse({
      HostConfig: { NetworkMode: 'proj_default' },
      NetworkingConfig: { EndpointsConfig: { proj_default: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.89.1.7' } } } },
    });
    expect(c.networkMode).toBe('proj_default');
    expect(c.networks).toEqual({ proj_default: { aliases: ['web'], ip: '10.89.1.7' } });
  });

  it('container: network mode is refused rather than ignored', () => {
    expect(() => parse({ HostConfig: { NetworkMode: 'container:abc' } })).toThrow(/not supported/);
  });

  it('Binds, Mounts, Tmpfs, ReadonlyRootfs and anonymous Config.Volumes become mounts', () => {
    const c = parse({
      Volumes: { '/data': {}, '/cache': {} },
      HostConfig: {
        Binds: ['proj_data:/data:rw', '/srv/site:/site:ro,rshared'],
        Mounts: [{ Type: 'tmpfs', Target: '/run', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } }],
        Tmpfs: { '/tmp': 'size=64m,mode=1770' },
        ReadonlyRootfs: true,
      },
    });
    expect(c.readOnlyRootfs).toBe(true);
    expect(c.mounts.map((m) => [m.type, m.source, m.target, m.readOnly])).toEqual([
      ['volume', 'proj_data', '/data', false],
      ['bind', '/srv/site', '/site', true],
      ['tmpfs', '', '/run', false],
      ['tmpfs', '', '/tmp', false],
      ['volume', '', '/cache', false],
    ]);
    expect(c.mounts[1]).toMatchObject({ createHostPath: true, bindPropagation: 'rshared' });
    expect(c.mounts[2]).toMatchObject({ tmpfsSizeBytes: 1048576, tmpfsMode: 0o1777 });
    expect(c.mounts[3]).toMatchObject({ tmpfsSizeBytes: 64 * 1024 * 1024, tmpfsMode: 0o1770 });
    expect(() => parse({ HostConfig: { Binds: ['/a:/x', 'vol:/x'] } })).toThrow('Duplicate mount point: /x');
  });

  it('Healthcheck durations in nanoseconds become milliseconds; an empty Test inherits the image', () => {
    const c = parse({ Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Timeout: 5e8, StartPeriod: 0, Retries: 2 } });
    expect(c.healthcheck).toEqual({ test: ['CMD-SHELL', 'true'], intervalMs: 2000, timeoutMs: 500, startPeriodMs: 0, retries: 2 });
    expect(parse({ Healthcheck: { Test: [] } }).healthcheck).toBeUndefined();
    expect(parse({ Healthcheck: { Test: ['NONE'] } }).healthcheck?.test).toEqual(['NONE']);
  });
});
