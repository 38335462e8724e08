// Networks, volumes, published ports, stats, rename and per-pull registry auth through the real docker CLI 28,
// with images from loopback registries (one open, one behind token auth).
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../testing/engine';
import { freePort, startRegistry, type TestRegistry } from '../testing/registry';
import { busyboxImage, pushImage } from '../testing/image-builder';
import { startImageEngine, type ImageEngine } from '../testing/fixtures';
import { request, runDocker } from './testing';

let fixture: ImageEngine;
let engine: TestEngine;
let socket: string;
let image: string;
const docker = (...args: string[]) => runDocker(socket, args, { timeoutMs: 60_000 });

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
  });
}

beforeAll(async () => {
  fixture = await startImageEngine();
  ({ engine, image } = fixture);
  socket = engine.host.paths.dockerSocket;
  expect((await docker('pull', image)).code).toBe(0);
});
afterAll(() => fixture?.close());

describe('docker API socket: networks, volumes, ports, stats, rename', () => {
  it('docker volume create, ls, inspect and rm', async () => {
    expect((await docker('volume', 'create', '--label', 'keep=yes', 'data1')).stdout.trim()).toBe('data1');
    const ls = await docker('volume', 'ls', '--format', '{{.Driver}} {{.Name}}');
    expect(ls.stdout.split('\n')).toContain('local data1');
    const inspect = JSON.parse((await docker('volume', 'inspect', 'data1')).stdout) as { Name: string; Mountpoint: string; Labels: object }[];
    expect(inspect[0]).toMatchObject({ Name: 'data1', Labels: { keep: 'yes' } });
    expect(fs.existsSync(inspect[0]!.Mountpoint)).toBe(true);
    expect((await docker('volume', 'rm', 'data1')).stdout.trim()).toBe('data1');
    const missing = await docker('volume', 'rm', 'data1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('data1');
  });

  it('docker run -v keeps data in a named volume across containers; --read-only and --tmpfs apply', async () => {
    const write = await docker('run', '--rm', '-v', 'shared:/data', image, 'sh', '-c', 'echo kept > /data/file');
    expect(write.stderr).toBe('');
    expect(write.code).toBe(0);
    expect((await docker('create', '--name', 'holder', '-v', 'shared:/data', image, 'true')).code).toBe(0);
    expect((await docker('ps', '-a', '--format', '{{.Names}} {{.Mounts}}')).stdout.trim()).toBe('holder shared');
    expect((await docker('rm', 'holder')).code).toBe(0);
    const read = await docker('run', '--rm', '--read-only', '--tmpfs', '/scratch', '-v', 'shared:/data:ro', image, 'sh', '-c', 'cat /data/file; touch /scratch/ok && echo tmpfs-ok; touch /rootfile || echo rootfs-ro');
    expect(read.stdout).toBe('kept\ntmpfs-ok\nrootfs-ro\n');
    expect((await docker('volume', 'rm', 'shared')).code).toBe(0);
    // An anonymous volume (-v /path) goes with its container on rm -v.
    expect((await docker('run', '--name', 'anon', '-v', '/scratch', image, 'true')).code).toBe(0);
    const anonymous = (await docker('volume', 'ls', '-q')).stdout.trim();
    expect(anonymous).toMatch(/^[0-9a-f]{64}$/);
    expect((await docker('rm', '-v', 'anon')).code).toBe(0);
    expect((await docker('volume', 'ls', '-q')).stdout).toBe('');
  });

  it('docker run -d -p publishes a port: httpd answers on the host, ps and inspect show the binding', async () => {
    const port = await freePort();
    const run = await docker('run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, image, 'sh', '-c', 'mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    let answer: { status: number; body: string } | null = null;
    for (let i = 0; i < 50 && !answer; i++) {
      answer = await httpGet(port).catch(() => null);
      if (!answer) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer).toEqual({ status: 200, body: 'served\n' });
    expect((await docker('ps', '--format', '{{.Names}} {{.Ports}} {{.Networks}}')).stdout.trim()).toBe(`web 127.0.0.1:${port}->80/tcp bridge`);
    const inspect = JSON.parse((await docker('inspect', 'web')).stdout) as { NetworkSettings: { Ports: object; Networks: Record<string, { IPAddress: string; Aliases: string[] }> }; HostConfig: { PortBindings: object } }[];
    expect(inspect[0]!.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(inspect[0]!.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(inspect[0]!.NetworkSettings.Networks.bridge!.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((await docker('port', 'web')).stdout.trim()).toBe(`80/tcp -> 127.0.0.1:${port}`);
    expect((await docker('rm', '-f', 'web')).code).toBe(0);
  });

  it('docker run --network with --network-alias, --ip and --health-cmd, then network connect/disconnect: the alias resolves, the address is fixed, health turns healthy', async () => {
    expect((await docker('network', 'create', '--subnet', '10.89.201.0/24', 'apps')).code).toBe(0);
    const run = await docker('run', '-d', '--name', 'api-server', '--network', 'apps', '--network-alias', 'api', '--ip', '10.89.201.9', '--health-cmd', 'test -f /www/index.html', '--health-interval', '1s', image, 'sh', '-c', 'mkdir -p /www && echo from-api > /www/index.html && exec httpd -f -p 80 -h /www');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    const client = await docker('run', '--rm', '--network', 'apps', image, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://api/ && exit 0; sleep 0.3; done; exit 1');
    expect(client.stdout).toBe('from-api\n');
    const inspect = JSON.parse((await docker('inspect', 'api-server')).stdout) as { NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[]; Gateway: string }> }; HostConfig: { NetworkMode: string } }[];
    const endpoint = inspect[0]!.NetworkSettings.Networks.apps!;
    expect(endpoint.IPAddress).toBe('10.89.201.9');
    expect(endpoint.Gateway).toMatch(/^10\.89\.201\.\d+$/);
    expect(endpoint.Aliases).toEqual(expect.arrayContaining(['api', id.slice(0, 12)]));
    expect(inspect[0]!.HostConfig.NetworkMode).toBe('apps');
    let health = '';
    for (let i = 0; i < 50 && health !== 'healthy'; i++) {
      health = (await docker('inspect', '--format', '{{.State.Health.Status}}', 'api-server')).stdout.trim();
      if (health !== 'healthy') await new Promise((r) => setTimeout(r, 200));
    }
    expect(health).toBe('healthy');
    expect((await docker('ps', '--format', '{{.Names}} {{.Status}}')).stdout).toMatch(/^api-server Up .* \(healthy\)$/m);

    // connect/disconnect a running container to a second network.
    const extra = (await docker('network', 'create', 'extra')).stdout.trim();
    expect((await docker('network', 'connect', '--alias', 'side', 'extra', 'api-server')).code).toBe(0);
    const both = JSON.parse((await docker('inspect', '--format', '{{json .NetworkSettings.Networks}}', 'api-server')).stdout) as Record<string, { NetworkID: string; IPAddress: string; Aliases: string[] }>;
    expect(Object.keys(both).sort()).toEqual(['apps', 'extra']);
    expect(both.extra).toMatchObject({ NetworkID: extra, Aliases: expect.arrayContaining(['side']) });
    expect(both.extra!.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((await docker('network', 'disconnect', 'extra', 'api-server')).code).toBe(0);
    expect((await docker('inspect', '--format', '{{len .NetworkSettings.Networks}}', 'api-server')).stdout.trim()).toBe('1');
    expect((await docker('rm', '-f', 'api-server')).code).toBe(0);
    expect((await docker('network', 'rm', 'apps', 'extra')).code).toBe(0);
  });

  it('docker stats --no-stream shows CPU, memory and pids of a running container; the API streams samples', async () => {
    const run = await docker('run', '-d', '--name', 'busy', image, 'sh', '-c', 'trap "exit 0" TERM; while :; do :; done');
    expect(run.code).toBe(0);
    const stats = await docker('stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', 'busy');
    expect(stats.stderr).toBe('');
    const [name, cpu, mem, pids] = stats.stdout.trim().split('|');
    expect(name).toBe('busy');
    // A busy loop uses CPU; the exact share depends on the machine.
    expect(Number(cpu!.replace('%', ''))).toBeGreaterThan(5);
    expect(mem).toMatch(/^[\d.]+[KMG]iB \/ [\d.]+[KMG]iB$/);
    expect(mem).not.toMatch(/^0B/);
    expect(Number(pids)).toBeGreaterThanOrEqual(1);
    // Without names: every running container.
    expect((await docker('stats', '--no-stream', '--format', '{{.Name}}')).stdout.trim()).toBe('busy');

    const raw = await request(socket, 'GET', '/v1.44/containers/busy/stats?stream=false');
    const body = JSON.parse(raw.body) as { cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number }; precpu_stats: { cpu_usage: { total_usage: number } }; memory_stats: { usage: number; limit: number }; name: string };
    expect(body.name).toBe('/busy');
    expect(body.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(body.precpu_stats.cpu_usage.total_usage);
    expect(body.memory_stats.usage).toBeGreaterThan(0);
    expect(body.memory_stats.limit).toBeGreaterThan(body.memory_stats.usage);

    // Streaming: newline-delimited samples until the client leaves.
    const lines = await new Promise<string[]>((resolve, reject) => {
      const req = http.request({ socketPath: socket, path: '/v1.44/containers/busy/stats', method: 'GET' }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          const got = text.split('\n').filter(Boolean);
          if (got.length >= 2) {
            req.destroy();
            resolve(got);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const [first, second] = lines.map((l) => JSON.parse(l) as { cpu_stats: { cpu_usage: { total_usage: number } }; precpu_stats: { cpu_usage: { total_usage: number } } });
    expect(second!.precpu_stats.cpu_usage.total_usage).toBe(first!.cpu_stats.cpu_usage.total_usage);
    expect((await docker('rm', '-f', 'busy')).code).toBe(0);
  });

  it('docker rename renames; a taken name is a conflict; the event is logged', async () => {
    await docker('create', '--name', 'before', image, 'true');
    await docker('create', '--name', 'other', image, 'true');
    const r = await docker('rename', 'before', 'after');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await docker('inspect', '--format', '{{.Name}}', 'after')).stdout.trim()).toBe('/after');
    expect((await docker('inspect', 'before')).code).toBe(1);
    const taken = await docker('rename', 'after', 'other');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('Conflict. The container name "/other" is already in use');
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const events = await docker('events', '--since', '5m', '--until', until, '--filter', 'event=rename', '--format', '{{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}');
    expect(events.stdout.trim()).toBe('after /before');
    expect((await docker('rm', 'after', 'other')).code).toBe(0);
  });
});

describe('docker API socket: X-Registry-Auth', () => {
  let privateRegistry: TestRegistry;
  beforeAll(async () => {
    privateRegistry = await startRegistry({ auth: 'token', users: { bob: 'hunter2' } });
    await pushImage(privateRegistry, 'team/secret', '1', await busyboxImage());
  });
  afterAll(async () => privateRegistry?.stop());

  it("docker pull sends the client's credentials with the pull; the engine has no stored login for the registry", async () => {
    const ref = `${privateRegistry.host}/team/secret:1`;
    const anonymous = await docker('pull', ref);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('pull access denied');
    // The CLI reads its own config.json and sends the auth entry as X-Registry-Auth.
    const auth = Buffer.from('bob:hunter2').toString('base64');
    const pull = await runDocker(socket, ['pull', ref], { config: { auths: { [privateRegistry.host]: { auth } } }, timeoutMs: 60_000 });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    // Same layers and config as the open registry's busybox: the image is known, the reference is new.
    expect(pull.stdout).toContain(`Digest: sha256:`);
    expect((await docker('image', 'inspect', '--format', '{{.RepoTags}}', ref)).stdout).toContain(ref);
    expect(privateRegistry.tokenRequests.some((t) => t.user === 'bob' && t.granted)).toBe(true);
    // The credentials were for that pull only: nothing was stored for later pulls.
    expect((await docker('rmi', ref)).code).toBe(0);
    expect((await docker('pull', ref)).code).toBe(1);
  });
});
