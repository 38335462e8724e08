import { describe, expect, it } from 'vitest';
import { containerInput } from './container-input';
import { loadTree } from './testing';

function mapped(yaml: string, service = 'app') {
  const { project } = loadTree({ 'compose.yaml': yaml }, { projectName: 'p' });
  const svc = project.services[service]!;
  return containerInput(project, svc, svc.containers[0]!);
}

describe('a compose service as a containers.create request', () => {
  it('maps ports, mounts, health check, restart, limits and networks with the service name as alias', () => {
    const { input, warnings } = mapped(
      [
        'services:',
        '  app:',
        '    image: busybox',
        '    command: ["sh", "-c", "sleep 1"]',
        '    ports: ["127.0.0.1:8080:80", "9000-9001:9000-9001/udp", "3000"]',
        '    volumes: [data:/data:ro, /srv:/srv, {type: tmpfs, target: /scratch, tmpfs: {size: 1048576}}]',
        '    tmpfs: ["/run:size=64m"]',
        '    healthcheck: {test: ["CMD-SHELL", "true"], interval: 2s, timeout: 1s, retries: 4, start_period: 5s}',
        '    restart: on-failure:3',
        '    mem_limit: 64m',
        '    stop_grace_period: 3s',
        '    networks: {back: {aliases: [store]}, front: {priority: 10}}',
        '    cap_add: [NET_ADMIN]',
        'networks: {front: {}, back: {}}',
        'volumes: {data: {}}',
        '',
      ].join('\n'),
    );
    expect(input.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 9000, containerPort: 9000, protocol: 'udp' },
      { hostIp: '', hostPort: 9001, containerPort: 9001, protocol: 'udp' },
      { hostIp: '', hostPort: 0, containerPort: 3000, protocol: 'tcp' },
    ]);
    expect(input.mounts).toEqual([
      expect.objectContaining({ type: 'volume', source: 'p_data', target: '/data', readOnly: true }),
      expect.objectContaining({ type: 'bind', source: '/srv', target: '/srv', readOnly: false, createHostPath: true }),
      expect.objectContaining({ type: 'tmpfs', target: '/scratch', tmpfsSizeBytes: 1048576 }),
      expect.objectContaining({ type: 'tmpfs', target: '/run', tmpfsSizeBytes: 64 * 1024 * 1024 }),
    ]);
    expect(input.healthcheck).toEqual({ test: ['CMD-SHELL', 'true'], intervalMs: 2000, timeoutMs: 1000, retries: 4, startPeriodMs: 5000 });
    expect(input.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
    expect(input.resources).toEqual({ memory: 64 * 1024 * 1024 });
    expect(input.stopTimeout).toBe(3);
    // The highest priority network is the primary one; every network gets the service name as an alias.
    expect(input.networkMode).toBe('p_front');
    expect(input.networks).toEqual({ p_front: { aliases: ['app'] }, p_back: { aliases: ['app', 'store'] } });
    expect(input.labels).toMatchObject({ 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'app' });
    expect(warnings).toEqual(['service "app": cap_add is not supported by this engine yet and is ignored']);
  });

  it('refuses what the engine cannot run before anything is created', () => {
    expect(() => mapped('services:\n  db: {image: busybox}\n  app: {image: busybox, network_mode: "service:db"}\n')).toThrow(/network_mode "service:db".*not supported/);
    expect(() => mapped('services:\n  app: {image: busybox, ports: ["53:53/sctp"]}\n')).toThrow(/sctp/);
  });
});
