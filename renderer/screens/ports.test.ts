import { describe, expect, it } from 'vitest';
import { PortBinding } from '../../engine/api/containers';
import { describePort } from './ContainersScreen';

const port = (p: Record<string, unknown>) => PortBinding.parse(p);

describe('published ports in the containers list', () => {
  it('shows host→container and links to the host port over http', () => {
    expect(describePort(port({ hostPort: 8080, containerPort: 80 }))).toEqual({ text: '8080→80/tcp', href: 'http://localhost:8080/' });
    expect(describePort(port({ hostIp: '127.0.0.1', hostPort: 8443, containerPort: 443 }))).toEqual({ text: '127.0.0.1:8443→443/tcp', href: 'http://127.0.0.1:8443/' });
    expect(describePort(port({ hostIp: '::1', hostPort: 9000, containerPort: 9000 })).href).toBe('http://[::1]:9000/');
  });

  it('has no link for udp or an unpublished port, and spans ranges', () => {
    expect(describePort(port({ hostPort: 5353, containerPort: 53, protocol: 'udp' }))).toEqual({ text: '5353→53/udp', href: null });
    expect(describePort(port({ containerPort: 6379 }))).toEqual({ text: '6379/tcp', href: null });
    expect(describePort(port({ hostPort: 8000, containerPort: 9000, range: 4 }))).toEqual({ text: '8000-8003→9000-9003/tcp', href: 'http://localhost:8000/' });
  });
});
