import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPort, parsePortSpec, portsClash, publishAll, reservePorts } from './ports';

describe('parsePortSpec', () => {
  it('reads every docker -p form', () => {
    expect(parsePortSpec('80')).toEqual({ hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp', range: 1 });
    expect(parsePortSpec('8080:80')).toEqual({ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 });
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp', range: 1 });
    expect(parsePortSpec('127.0.0.1::80')).toEqual({ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp', range: 1 });
    expect(parsePortSpec('[::1]:8080:80')).toMatchObject({ hostIp: '::1', hostPort: 8080, containerPort: 80 });
    expect(parsePortSpec('8000-8002:9000-9002')).toEqual({ hostIp: '', hostPort: 8000, containerPort: 9000, protocol: 'tcp', range: 3 });
  });

  it('refuses bad specs with the reason', () => {
    expect(() => parsePortSpec('80/sctp')).toThrow(/protocol "sctp"/);
    expect(() => parsePortSpec('70000:80')).toThrow(/1-65535/);
    expect(() => parsePortSpec('8000-8001:80')).toThrow(/must match/);
    expect(() => parsePortSpec('1.2.3:80:80')).toThrow(/host address/);
    expect(() => parsePortSpec('a:b')).toThrow(/invalid port/);
    expect(() => parsePortSpec('1:2:3:4')).toThrow(/\[IP:\]\[HOST:\]CONTAINER/);
  });

  it('formats like docker ps', () => {
    expect(formatPort(parsePortSpec('127.0.0.1:8080:80'))).toBe('127.0.0.1:8080->80/tcp');
    expect(formatPort(parsePortSpec('8000-8001:90-91/udp'))).toBe('0.0.0.0:8000-8001->90-91/udp');
  });
});

describe('publishAll (-P)', () => {
  it('maps each exposed port to a random host port', () => {
    expect(publishAll(['80/tcp', '53/udp', '8080'])).toEqual([
      { hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp', range: 1 },
      { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp', range: 1 },
      { hostIp: '', hostPort: 0, containerPort: 8080, protocol: 'tcp', range: 1 },
    ]);
  });
});

describe('reservePorts', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('names a port a host process holds, and resolves random ports to free ones', async () => {
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const taken = (server.address() as net.AddressInfo).port;
    await expect(reservePorts([{ hostIp: '127.0.0.1', hostPort: taken, containerPort: 80, protocol: 'tcp' }], [])).rejects.toThrow(
      new RegExp(`port ${taken}/tcp on 127.0.0.1 is already in use`),
    );
    const [random] = await reservePorts([{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }], []);
    expect(random!.hostPort).toBeGreaterThan(0);
    expect(random!.hostPort).not.toBe(taken);
  });

  it('refuses a port another container publishes, naming that container', async () => {
    const held = [{ container: 'web', ports: [{ hostIp: '', hostPort: 18080, containerPort: 80, protocol: 'tcp' as const, range: 3 }] }];
    await expect(reservePorts([{ hostIp: '127.0.0.1', hostPort: 18082, containerPort: 80, protocol: 'tcp' }], held)).rejects.toThrow(/18080\/tcp .* container web/);
    expect(portsClash(held[0]!.ports[0]!, { hostIp: '', hostPort: 18082, containerPort: 1, protocol: 'udp' })).toBe(false);
  });
});
