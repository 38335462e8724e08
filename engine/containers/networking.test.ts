// Containers on real networks: runc + conmon + netavark + aardvark-dns, a busybox rootfs, published ports on
// 127.0.0.1 fetched from this test, names resolved between containers on a network the test makes.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUnix } from '../transport/unix';
import { runFd, spawnEngine, startTestEngine, tempRoot, type EngineProcess, type TestEngine } from '../testing/engine';
import { buildBusyboxRootfs } from '../testing/rootfs';
import { findBinary } from '../system/tools';
import type { EngineClient } from '../api/client';
import { parseArgs } from '../cli/args';
import { buildCreateInput, containerFlags } from '../cli/commands/create';
import { runCli } from '../cli/main';

const canRun = process.getuid?.() === 0 && !!findBinary('netavark') && !!findBinary('runc') && !!findBinary('conmon');

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Listens on 127.0.0.1:port and answers every request with `body`. */
async function listen(port: number, body: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

const close = (server: http.Server) => new Promise((r) => server.close(r));

/** One GET on a fresh connection (no keep-alive: a pooled socket could outlive a port forward). */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** GET until it answers (httpd needs a moment to listen); throws the last error after `ms`. */
async function fetchText(url: string, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await get(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function logsOf(client: EngineClient, id: string): Promise<string> {
  const lines: string[] = [];
  for await (const l of client.stream('containers.logs', { id })) lines.push(l.line);
  return lines.join('\n');
}

describe('run/create network flags', () => {
  const parse = (...argv: string[]) => {
    const { flags, args } = parseArgs(argv, containerFlags, { interspersed: false });
    return buildCreateInput(flags, args, {});
  };

  it('maps -h, -p, -P, --net, --network-alias and --ip like docker', () => {
    expect(parse('-h', 'web1', '-p', '127.0.0.1:8080:80', '-p', '53/udp', '-P', '--net', 'app', '--network-alias', 'db', '--ip', '10.1.2.3', 'busybox', 'ls', '-h')).toMatchObject({
      hostname: 'web1',
      image: 'busybox',
      cmd: ['ls', '-h'],
      ports: [
        { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
        { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
      ],
      publishAll: true,
      networkMode: 'app',
      networks: { app: { aliases: ['db'], ip: '10.1.2.3' } },
    });
    expect(() => parse('--network-alias', 'db', 'busybox')).toThrow(/only supported on user-defined networks/);
    expect(() => parse('-p', '80:80:80:80', 'busybox')).toThrow(/invalid port spec/);
  });

  it('fd run -h is --hostname, --help still prints the usage', async () => {
    const io = () => {
      let out = '';
      const sink = { write: (d: string) => ((out += d), true) } as unknown as NodeJS.WritableStream;
      return { io: { stdout: sink, stderr: sink, stdin: process.stdin, env: {} }, out: () => out };
    };
    const help = io();
    expect(await runCli(['run', '--help'], help.io)).toBe(0);
    expect(help.out()).toMatch(/^Usage: fd run/);
    // -h is a flag with a value here: the command goes on to the engine (none at this root) instead of printing help.
    const run = io();
    const root = tempRoot('fd-ctrnet-cli-');
    try {
      expect(await runCli(['--root', root, 'run', '-h', 'web1', '--rootfs', root, 'true'], run.io)).toBe(125);
      expect(run.out()).not.toMatch(/Usage:/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!canRun)('containers on networks (root, netavark)', () => {
  let fixtures: string;
  let rootfs: string;
  let engine: TestEngine;
  let client: EngineClient;

  beforeAll(async () => {
    fixtures = tempRoot('fd-ctrnet-fixture-');
    rootfs = buildBusyboxRootfs(path.join(fixtures, 'rootfs'));
    fs.mkdirSync(path.join(rootfs, 'www'));
    fs.writeFileSync(path.join(rootfs, 'www/index.html'), 'hello from the container\n');
    engine = await startTestEngine();
    client = engine.client;
  });

  afterAll(async () => {
    if (engine) {
      for (const c of await client.call('containers.list', { all: true })) await client.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
      for (const n of await client.call('networks.list', {})) {
        if (!['bridge', 'host', 'none'].includes(n.name)) await client.call('networks.remove', { id: n.id }).catch(() => undefined);
      }
      await engine.close();
      fs.rmSync(engine.root, { recursive: true, force: true });
    }
    fs.rmSync(fixtures, { recursive: true, force: true });
  });

  it('publishes a port on 127.0.0.1: a taken port fails start clearly, then it serves, shows in ps/inspect, and stop releases it', async () => {
    const port = await freePort();
    const { id } = await client.call('containers.create', {
      name: 'web',
      rootfs,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80 }],
    });

    const squatter = await listen(port, 'squatter');
    await expect(client.call('containers.start', { id })).rejects.toThrow(new RegExp(`port ${port}/tcp on 127.0.0.1 is already in use`));
    expect((await client.call('containers.inspect', { id })).state.status).toBe('created');
    await close(squatter);

    await client.call('containers.start', { id });
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe('hello from the container\n');
    const [summary] = await client.call('containers.list', { filters: { id: [id] } });
    expect(summary!.ports).toEqual([{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }]);
    const settings = (await client.call('containers.inspect', { id })).networkSettings;
    expect(settings.networks.bridge!.ip).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(settings.networks.bridge!.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

    await client.call('containers.stop', { id, timeout: 1 });
    expect((await client.call('containers.inspect', { id })).networkSettings.ports).toEqual([]);
    // No forward is left: a process on the host now gets the port's traffic.
    const after = await listen(port, 'host process');
    try {
      expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe('host process');
    } finally {
      await close(after);
    }
    expect(fs.existsSync(path.join(engine.root, 'networks', 'netns', id))).toBe(false);
  });

  it('containers on a user network reach each other by name and by alias; rm of the network waits for its stopped users', async () => {
    await client.call('networks.create', { name: 'fdtest-app' });
    const before = (await client.call('containers.list', { all: true })).length;
    await expect(client.call('containers.create', { rootfs, cmd: ['true'], networkMode: 'fdtest-nope' })).rejects.toThrow(/No such network: fdtest-nope/);
    expect(await client.call('containers.list', { all: true })).toHaveLength(before);
    const { id: srv } = await client.call('containers.create', {
      name: 'srv',
      rootfs,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      networkMode: 'fdtest-app',
      networks: { 'fdtest-app': { aliases: ['db'] } },
    });
    await client.call('containers.start', { id: srv });
    await expect(client.call('containers.create', { rootfs, cmd: ['true'], networkMode: 'fdtest-app', networks: { 'fdtest-app': { aliases: [], ip: '192.0.2.9' } } })).rejects.toThrow(
      /192\.0\.2\.9 is outside network fdtest-app's subnet/,
    );
    // The client starts on the default network and joins the app network while stopped (recorded for its start).
    const { id: cli } = await client.call('containers.create', {
      rootfs,
      // busybox's nslookup has its own resolver (its static wget crashes on any URL), so: name → address → nc.
      cmd: [
        'sh',
        '-c',
        `for n in srv db; do ok=; for i in 1 2 3 4 5 6 7 8 9 10; do
           a=$(nslookup $n | awk '/^Address/ {a=$2} END {print a}')
           if printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $a 80 | tail -n 1 | grep .; then ok=1; break; fi; sleep 0.3
         done; [ -n "$ok" ] || exit 1; done`,
      ],
    });
    await client.call('networks.connect', { network: 'fdtest-app', container: cli });
    expect(Object.keys((await client.call('containers.inspect', { id: cli })).networkSettings.networks)).toEqual(['bridge', 'fdtest-app']);
    await client.call('containers.start', { id: cli });
    expect((await client.call('containers.wait', { id: cli })).exitCode).toBe(0);
    expect(await logsOf(client, cli)).toBe('hello from the container\nhello from the container');

    // A live connect is recorded too: after a stop the container still names the network (for its next start).
    await client.call('networks.create', { name: 'fdtest-extra' });
    await client.call('networks.connect', { network: 'fdtest-extra', container: 'srv', aliases: ['cache'] });
    await client.call('containers.stop', { id: srv, timeout: 1 });
    expect((await client.call('containers.inspect', { id: srv })).networkSettings.networks['fdtest-extra']).toMatchObject({ ip: '', aliases: ['cache'] });
    await expect(client.call('networks.remove', { id: 'fdtest-extra' })).rejects.toThrow(/in use by container srv/);
    await expect(client.call('networks.remove', { id: 'fdtest-app' })).rejects.toThrow(/in use by containers (srv, \w+|\w+, srv): remove or disconnect them/);
    await client.call('containers.remove', { id: srv });
    await client.call('containers.remove', { id: cli });
    await client.call('networks.remove', { id: 'fdtest-app' });
    await client.call('networks.remove', { id: 'fdtest-extra' });
  });

  it('a running container renamed answers to its new name in DNS at once, and no longer to the old one', async () => {
    await client.call('networks.create', { name: 'fdtest-dns' });
    const { id: srv } = await client.call('containers.create', { name: 'before-rename', rootfs, cmd: ['sleep', '300'], networkMode: 'fdtest-dns' });
    await client.call('containers.start', { id: srv });
    const ip = (await client.call('containers.inspect', { id: srv })).networkSettings.networks['fdtest-dns']!.ip;
    await client.call('containers.rename', { id: srv, name: 'after-rename' });
    const lookup = async (name: string) => {
      const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', `nslookup ${name} | awk '/^Address/ {a=$2} END {print a}'`], networkMode: 'fdtest-dns' });
      await client.call('containers.start', { id });
      await client.call('containers.wait', { id });
      const out = (await logsOf(client, id)).trim();
      await client.call('containers.remove', { id });
      return out;
    };
    expect(await lookup('after-rename')).toBe(ip);
    expect(await lookup('before-rename')).not.toBe(ip);
    await client.call('containers.remove', { id: srv, force: true });
    await client.call('networks.remove', { id: 'fdtest-dns' });
  });

  it('-P publishes the image\'s exposed ports on random host ports (a port -p already publishes is not doubled)', async () => {
    const { startRegistry } = await import('../testing/registry');
    const { buildImage, busyboxLayer, pushImage } = await import('../testing/image-builder');
    const reg = await startRegistry();
    try {
      const image = await buildImage({
        layers: [await busyboxLayer(), [{ path: 'www/', type: 'directory' }, { path: 'www/index.html', content: 'exposed\n' }]],
        config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {}, '81/tcp': {} } },
      });
      await pushImage(reg, 'net/web', 'v1', image);
      const ref = `${reg.host}/net/web:v1`;
      for await (const _ of client.stream('images.pull', { ref })) void _;
      const fixed = await freePort();
      const { id } = await client.call('containers.create', { image: ref, publishAll: true, ports: [{ hostIp: '127.0.0.1', hostPort: fixed, containerPort: 81 }] });
      await client.call('containers.start', { id });
      const ports = (await client.call('containers.inspect', { id })).networkSettings.ports;
      expect(ports).toHaveLength(2);
      expect(ports).toContainEqual({ hostIp: '127.0.0.1', hostPort: fixed, containerPort: 81, protocol: 'tcp' });
      const random = ports.find((p) => p.containerPort === 80)!;
      expect(random).toMatchObject({ hostIp: '', protocol: 'tcp' });
      expect(random.hostPort).toBeGreaterThan(0);
      expect(await fetchText(`http://127.0.0.1:${random.hostPort}/`)).toBe('exposed\n');
      await client.call('containers.remove', { id, force: true });
      await client.call('images.remove', { ref });
    } finally {
      await reg.stop();
    }
  });

  it('--network none has only lo, up; --network host sees the host interfaces', async () => {
    const run = async (networkMode: string, cmd = ['ls', '/sys/class/net']) => {
      const { id } = await client.call('containers.create', { rootfs, networkMode, cmd });
      await client.call('containers.start', { id });
      expect((await client.call('containers.wait', { id })).exitCode).toBe(0);
      const out = await logsOf(client, id);
      await client.call('containers.remove', { id });
      return out.split(/\s+/).filter(Boolean).sort();
    };
    expect(await run('none')).toEqual(['lo']);
    // IFF_UP|IFF_LOOPBACK: the runtime brought lo up in the fresh namespace.
    expect(await run('none', ['cat', '/sys/class/net/lo/flags'])).toEqual(['0x9']);
    expect(await run('host')).toEqual(fs.readdirSync('/sys/class/net').sort());
  });
});

describe.skipIf(!canRun)('published containers across an engine crash (bin/fd)', () => {
  let root: string;
  let fixtures: string;
  let proc: EngineProcess | null = null;

  beforeAll(() => {
    root = tempRoot('fd-ctrnet-crash-');
    fixtures = tempRoot('fd-ctrnet-fixture-');
    buildBusyboxRootfs(path.join(fixtures, 'rootfs'));
    fs.mkdirSync(path.join(fixtures, 'rootfs/www'));
  });

  afterAll(async () => {
    if (proc) {
      await runFd(['--root', root, 'rm', '-f', 'web']).catch(() => undefined);
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(fixtures, { recursive: true, force: true });
  });

  it('fd run -h/-p, fd ps/port show the binding; after SIGKILL of the engine the container still serves, and stop releases everything', async () => {
    const port = await freePort();
    proc = await spawnEngine(root);
    const fd = (...args: string[]) => runFd(['--root', root, ...args]);
    const rootfs = path.join(fixtures, 'rootfs');
    const started = await fd('run', '-d', '--name', 'web', '-h', 'webhost', '-p', `127.0.0.1:${port}:80`, '--rootfs', rootfs, 'sh', '-c', 'hostname > /www/name; exec httpd -f -p 80 -h /www');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(await fetchText(`http://127.0.0.1:${port}/name`)).toBe('webhost\n');
    expect((await fd('ps')).stdout).toContain(`127.0.0.1:${port}->80/tcp`);
    expect((await fd('port', 'web', '80')).stdout).toBe(`127.0.0.1:${port}\n`);

    proc.child.kill('SIGKILL');
    await proc.exited;
    proc = await spawnEngine(root);
    expect(await fetchText(`http://127.0.0.1:${port}/name`)).toBe('webhost\n');

    const client = await connectUnix(path.join(root, 'engine.sock'));
    try {
      await client.call('containers.stop', { id: 'web', timeout: 1 });
      expect((await client.call('containers.inspect', { id: 'web' })).networkSettings.ports).toEqual([]);
    } finally {
      client.close();
    }
    expect(fs.existsSync(path.join(root, 'networks', 'netns', id))).toBe(false);
    const nat = execFileSync(findBinary('iptables-save')!, ['-t', 'nat'], { encoding: 'utf8' });
    expect(nat).not.toContain(id);
    const after = await listen(port, 'host process');
    try {
      expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe('host process');
    } finally {
      await close(after);
    }
  });

  it('a published container that dies while the engine is down leaves no netns, rule or port behind after the next start', async () => {
    const port = await freePort();
    const fd = (...args: string[]) => runFd(['--root', root, ...args]);
    const started = await fd('run', '-d', '-p', `127.0.0.1:${port}:80`, '--rootfs', path.join(fixtures, 'rootfs'), 'httpd', '-f', '-p', '80', '-h', '/www');
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    const pid = Number((await fd('inspect', '-f', '{{.State.Pid}}', id)).stdout.trim());
    expect(pid).toBeGreaterThan(0);
    proc!.child.kill('SIGKILL');
    await proc!.exited;
    process.kill(pid, 'SIGKILL');
    proc = await spawnEngine(root);
    expect((await fd('inspect', '-f', '{{.State.Status}}', id)).stdout.trim()).toBe('exited');
    expect(fs.existsSync(path.join(root, 'networks', 'netns', id))).toBe(false);
    expect(execFileSync(findBinary('iptables-save')!, ['-t', 'nat'], { encoding: 'utf8' })).not.toContain(id);
    expect((await fd('port', id)).stdout).toBe('');
  });
});
