// Real networks as root: netavark bridges, aardvark-dns and port forwards between namespaces this test makes,
// with busybox doing the talking. No container lifecycle needed: "containers" are fake ids with a netns.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine';
import { rootPaths } from '../paths';
import { quietLogger, tempRoot } from '../testing/engine';
import { findBinary } from '../system/tools';
import type { NetworkManager } from './manager';
import type { PrepareResult } from './types';

const canRun = process.getuid?.() === 0 && !!findBinary('netavark') && !!findBinary('aardvark-dns') && fs.existsSync('/usr/bin/busybox');
const BUSYBOX = '/usr/bin/busybox';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
const inNs = (ns: string, ...args: string[]) => sh('nsenter', [`--net=${ns}`, ...args]);
/** Output whatever the exit code (nslookup of an unknown name fails). */
const tryInNs = (ns: string, ...args: string[]) => {
  try {
    return inNs(ns, ...args);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
};
const newId = () => crypto.randomBytes(32).toString('hex');
const links = () => (JSON.parse(sh('ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);

describe.skipIf(!canRun)('networks through netavark (root)', () => {
  let root: string;
  let engine: Engine;
  let manager: NetworkManager;
  const children: ChildProcess[] = [];
  const subnets = new Set<string>();

  const open = () => {
    engine = createEngine({ paths: rootPaths(root), log: quietLogger });
    manager = engine.ctx.networks as NetworkManager;
  };

  beforeAll(async () => {
    root = tempRoot('fd-net-');
    open();
    await engine.start();
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    // Everything the test made goes, even after a failure: sandboxes, networks, bridges, rules, netns files.
    try {
      for (const s of manager.repo.sandboxes()) await manager.release(s.containerId).catch(() => undefined);
      for (const n of manager.repo.networks()) subnets.add(n.subnet);
      await engine.stop();
    } catch {
      // already stopped
    }
    const prefix = `fd${crypto.createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 5)}b`;
    for (const l of links().filter((x) => x.startsWith(prefix))) sh('ip', ['link', 'delete', l]);
    for (const table of ['nat', 'filter']) {
      for (const line of sh('iptables-save', ['-t', table]).split('\n')) {
        if (line.startsWith('-A ') && [...subnets].some((s) => line.includes(s))) {
          try {
            execFileSync('sh', ['-c', `iptables -t ${table} -D ${line.slice(3)}`]);
          } catch {
            // removed already
          }
        }
      }
    }
    const nsDir = path.join(root, 'networks', 'netns');
    for (const f of fs.existsSync(nsDir) ? fs.readdirSync(nsDir) : []) {
      try {
        sh('umount', [path.join(nsDir, f)]);
      } catch {
        // not mounted
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates the default bridge network with its own bridge name and a subnet clear of host routes', async () => {
    const list = manager.list();
    expect(list.map((n) => n.name)).toEqual(['bridge', 'host', 'none']);
    const bridge = manager.inspect('bridge');
    expect(bridge.bridge).toMatch(/^fd[0-9a-f]{5}b0$/);
    expect(bridge.subnet).toMatch(/^10\.(8[89]|9[01])\.\d+\.0\/24$/);
    subnets.add(bridge.subnet!);
    await expect(manager.remove('bridge')).rejects.toThrow(/pre-defined network/);
    expect(engine.ctx.counters.networks?.()).toBe(3);
  });

  it('refuses a subnet that overlaps another network or a host route, changing nothing', async () => {
    const bridge = manager.inspect('bridge');
    await expect(manager.create({ name: 'clash', subnet: bridge.subnet! })).rejects.toThrow(/overlaps network bridge/);
    await expect(manager.create({ name: 'clash', subnet: '127.0.0.0/24' })).rejects.toThrow(/overlaps the host route 127\.0\.0\.0\/8/);
    await expect(manager.create({ name: 'clash', subnet: '10.89.0.0/24', gateway: '10.90.0.1' })).rejects.toThrow(/not a usable address/);
    expect(manager.list().map((n) => n.name)).not.toContain('clash');
  });

  describe('two containers on a user network', () => {
    const web = { id: newId(), name: 'web' };
    const client = { id: newId(), name: 'client' };
    let webNet: PrepareResult;
    let clientNet: PrepareResult;
    let network: ReturnType<NetworkManager['inspect']>;

    beforeAll(async () => {
      network = await manager.create({ name: 'appnet', labels: { team: 'a' } });
      subnets.add(network.subnet!);
      webNet = await manager.prepare({
        ...web,
        mode: 'bridge',
        attachments: [{ network: 'appnet', aliases: ['svc'] }],
        ports: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
        hostname: web.id.slice(0, 12),
      });
      clientNet = await manager.prepare({ ...client, mode: 'bridge', attachments: [{ network: 'appnet' }], ports: [], hostname: 'client' });
      const www = path.join(root, 'www');
      fs.mkdirSync(www, { recursive: true });
      fs.writeFileSync(path.join(www, 'index.html'), 'hello from web\n');
      const httpd = spawn('nsenter', [`--net=${webNet.netnsPath!}`, BUSYBOX, 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
      children.push(httpd);
      // Wait until httpd listens inside the namespace.
      for (let i = 0; i < 50; i++) {
        if (inNs(webNet.netnsPath!, BUSYBOX, 'netstat', '-ltn').includes(':80 ')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('gives each an address, resolv.conf pointing at aardvark-dns and an /etc/hosts with its name', () => {
      const a = webNet.addresses.appnet!;
      const b = clientNet.addresses.appnet!;
      expect(a.gateway).toBe(network.gateway);
      expect(a.ip).not.toBe(b.ip);
      expect(a.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      expect(webNet.resolvConf).toContain(`nameserver ${network.gateway}`);
      expect(webNet.resolvConf).toMatch(/^search dns\.podman/m);
      expect(webNet.hosts).toContain(`${a.ip}\t${web.id.slice(0, 12)} web`);
      expect(inNs(webNet.netnsPath!, 'ip', '-br', 'addr', 'show', 'eth0')).toContain(`${a.ip}/24`);
      expect(manager.inspect('appnet').containers[web.id]).toMatchObject({ name: 'web', ip: a.ip });
    });

    it('resolves the name, the alias and the short id through aardvark-dns from the other namespace', () => {
      const ip = webNet.addresses.appnet!.ip;
      for (const name of ['web', 'svc', web.id.slice(0, 12)]) {
        const out = inNs(clientNet.netnsPath!, BUSYBOX, 'nslookup', name, network.gateway!);
        expect(out, name).toContain(ip);
      }
    });

    it('serves busybox httpd to the other namespace and on the published 127.0.0.1 port', async () => {
      const ip = webNet.addresses.appnet!.ip;
      expect(inNs(clientNet.netnsPath!, BUSYBOX, 'wget', '-q', '-O', '-', `http://${ip}/`)).toBe('hello from web\n');
      const port = webNet.ports[0]!.hostPort;
      expect(port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe('hello from web\n');
    });

    it('refuses a port the web container already publishes before setting anything up', async () => {
      const other = newId();
      const before = manager.repo.endpoints().length;
      await expect(
        manager.prepare({ id: other, name: 'other', mode: 'bridge', attachments: [{ network: 'appnet' }], ports: [webNet.ports[0]!], hostname: 'other' }),
      ).rejects.toThrow(new RegExp(`port ${webNet.ports[0]!.hostPort}/tcp .*container web`));
      expect(manager.repo.endpoints().length).toBe(before);
      expect(fs.existsSync(manager.netnsPath(other))).toBe(false);
    });

    it('hands out distinct addresses to concurrent prepares and refuses bad fixed addresses before any setup', async () => {
      const ids = [newId(), newId(), newId()];
      const results = await Promise.all(
        ids.map((id, i) => manager.prepare({ id, name: `c${i}`, mode: 'bridge', attachments: [{ network: 'appnet' }], ports: [], hostname: `c${i}` })),
      );
      const ips = [webNet, clientNet, ...results].map((r) => r.addresses.appnet!.ip);
      expect(new Set(ips).size).toBe(5);
      for (const id of ids) await manager.release(id);
      const bad = newId();
      await expect(manager.prepare({ id: bad, name: 'bad', mode: 'bridge', attachments: [{ network: 'appnet', ip: '192.168.250.9' }], ports: [], hostname: 'bad' })).rejects.toThrow(
        /outside network appnet's subnet/,
      );
      await expect(manager.prepare({ id: bad, name: 'bad', mode: 'bridge', attachments: [{ network: 'appnet', ip: webNet.addresses.appnet!.ip }], ports: [], hostname: 'bad' })).rejects.toThrow(
        /already in use/,
      );
      await expect(manager.prepare({ id: bad, name: 'bad', mode: 'bridge', attachments: [{ network: 'nosuchnet' }], ports: [], hostname: 'bad' })).rejects.toThrow(
        'No such network: nosuchnet',
      );
      expect(manager.sandbox(bad)).toBeNull();
      expect(fs.existsSync(manager.netnsPath(bad))).toBe(false);
    });

    it('refuses to remove a network containers are attached to', async () => {
      await expect(manager.remove('appnet')).rejects.toThrow(/in use by containers (web, client|client, web)/);
    });

    it('connects and disconnects a running container to a second network', async () => {
      const extra = await manager.create({ name: 'extranet' });
      subnets.add(extra.subnet!);
      const addr = await manager.connect(client.id, { network: 'extranet', aliases: ['cli2'] });
      expect(inNs(clientNet.netnsPath!, 'ip', '-br', 'addr', 'show', 'eth1')).toContain(addr.ip);
      await expect(manager.connect(client.id, { network: 'extranet' })).rejects.toThrow(/already connected/);
      await manager.disconnect(client.id, 'extranet');
      expect(inNs(clientNet.netnsPath!, 'ip', '-br', 'link')).not.toContain('eth1');
      await manager.remove('extranet');
      expect(links()).not.toContain(extra.bridge);
    });

    it('release removes the veth, the bridge, the rules, the DNS record and the netns, and frees the address', async () => {
      const port = webNet.ports[0]!.hostPort;
      const ip = webNet.addresses.appnet!.ip;
      children.splice(0).forEach((c) => c.kill('SIGKILL'));
      await manager.release(web.id);
      await manager.release(web.id); // idempotent
      expect(fs.existsSync(webNet.netnsPath!)).toBe(false);
      expect(sh('iptables-save', ['-t', 'nat'])).not.toContain(`--dport ${port}`);
      expect(tryInNs(clientNet.netnsPath!, BUSYBOX, 'nslookup', 'web', network.gateway!)).not.toContain(ip);
      expect(links()).toContain(network.bridge);
      // Only this network's veths: other engines on the host (tests run in parallel) have their own.
      const ours = (JSON.parse(sh('ip', ['-j', 'link', 'show', 'master', network.bridge!])) as { ifname: string }[]).map((l) => l.ifname);
      expect(ours.length).toBeGreaterThan(0);
      await manager.release(client.id);
      expect(links()).not.toContain(network.bridge);
      expect(links().filter((l) => ours.includes(l))).toEqual([]);
      const rules = sh('iptables-save', []);
      expect(rules).not.toContain(network.subnet!);
      // aardvark-dns stopped with the last DNS user and is not left behind as a zombie of the engine.
      await new Promise((r) => setTimeout(r, 200));
      const kids = execFileSync('sh', ['-c', `ps -o pid=,stat=,comm= --ppid ${process.pid} || true`], { encoding: 'utf8' });
      expect(kids).not.toMatch(/aardvark/);
      // The freed address is handed out again.
      const again = await manager.prepare({ id: web.id, name: 'web', mode: 'bridge', attachments: [{ network: 'appnet' }], ports: [], hostname: 'web' });
      expect(again.addresses.appnet!.ip).toBe(manager.repo.endpoints({ containerId: web.id })[0]!.ip);
      expect([ip, clientNet.addresses.appnet!.ip]).toContain(again.addresses.appnet!.ip);
      await manager.release(web.id);
      await manager.remove('appnet');
    });
  });

  it('modes none and host need no namespace made before the runtime: none gets a fresh one from runc', async () => {
    const id = newId();
    const none = await manager.prepare({ id, name: 'lonely', mode: 'none', attachments: [], ports: [], hostname: 'lonely' });
    expect(none).toMatchObject({ mode: 'none', netnsPath: null, addresses: {}, ports: [] });
    expect(fs.existsSync(manager.netnsPath(id))).toBe(false);
    expect(none.hosts).toContain('lonely');
    await manager.release(id);
    const hostId = newId();
    const host = await manager.prepare({ id: hostId, name: 'hosty', mode: 'host', attachments: [], ports: [], hostname: 'hosty' });
    expect(host).toMatchObject({ mode: 'host', netnsPath: null });
    await manager.release(hostId);
  });

  it('an internal network gets no masquerade out and no default route', async () => {
    const internal = await manager.create({ name: 'sealed', internal: true });
    subnets.add(internal.subnet!);
    const id = newId();
    const sb = await manager.prepare({ id, name: 'sealed1', mode: 'bridge', attachments: [{ network: 'sealed' }], ports: [], hostname: 'sealed1' });
    try {
      const nat = sh('iptables-save', ['-t', 'nat']);
      // A routed network jumps from POSTROUTING to its own MASQUERADE chain; an internal one has no such rule.
      expect(nat).not.toContain(`-A POSTROUTING -s ${internal.subnet!}`);
      expect(inNs(sb.netnsPath!, 'ip', 'route')).not.toMatch(/^default/m);
    } finally {
      await manager.release(id);
      await manager.remove('sealed');
    }
  });

  it('refuses a port that another engine on this host forwards (no socket holds it, only its rules)', async () => {
    const otherRoot = tempRoot('fd-net2-');
    const other = createEngine({ paths: rootPaths(otherRoot), log: quietLogger });
    const otherId = newId();
    try {
      await other.start();
      const otherManager = other.ctx.networks as NetworkManager;
      subnets.add(otherManager.inspect('bridge').subnet!);
      const theirs = await otherManager.prepare({
        id: otherId,
        name: 'theirs',
        mode: 'bridge',
        attachments: [],
        ports: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
        hostname: 'theirs',
      });
      const port = theirs.ports[0]!.hostPort;
      const mine = newId();
      await expect(
        manager.prepare({ id: mine, name: 'mine', mode: 'bridge', attachments: [], ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }], hostname: 'mine' }),
      ).rejects.toThrow(new RegExp(`port ${port}/tcp .*${otherId.slice(0, 12)} \\(outside this engine\\)`));
      expect(manager.sandbox(mine)).toBeNull();
      await otherManager.release(otherId);
    } finally {
      await (other.ctx.networks as NetworkManager).release(otherId).catch(() => undefined);
      await other.stop();
      fs.rmSync(otherRoot, { recursive: true, force: true });
    }
  });

  it('records create, connect, disconnect and destroy events', () => {
    const actions = engine.ctx.events
      .list({ filters: { type: ['network'] }, limit: 500 })
      .map((e) => `${e.action}:${e.actor.attributes.name}`);
    expect(actions).not.toContain('create:bridge');
    for (const want of ['create:appnet', 'connect:appnet', 'disconnect:appnet', 'destroy:appnet', 'connect:extranet', 'disconnect:extranet']) {
      expect(actions).toContain(want);
    }
  });

  it('after a restart keeps networks and live sandboxes, and tears down those whose container is gone', async () => {
    const net1 = await manager.create({ name: 'persist', subnet: undefined });
    subnets.add(net1.subnet!);
    const alive = newId();
    const dead = newId();
    const a = await manager.prepare({ id: alive, name: 'alive', mode: 'bridge', attachments: [{ network: 'persist' }], ports: [], hostname: 'alive' });
    const d = await manager.prepare({ id: dead, name: 'dead', mode: 'bridge', attachments: [{ network: 'persist' }], ports: [], hostname: 'dead' });
    // The "alive" container has a process in its namespace; the "dead" one has none (it exited while we were down).
    const sleeper = spawn('nsenter', [`--net=${a.netnsPath!}`, BUSYBOX, 'sleep', '300'], { stdio: 'ignore' });
    children.push(sleeper);
    await new Promise((r) => setTimeout(r, 300));
    await engine.stop();
    open();
    await engine.start();
    expect(manager.inspect('persist').id).toBe(net1.id);
    expect(manager.sandbox(alive)?.addresses.persist?.ip).toBe(a.addresses.persist!.ip);
    expect(manager.sandbox(dead)).toBeNull();
    expect(fs.existsSync(d.netnsPath!)).toBe(false);
    expect(inNs(a.netnsPath!, 'ip', '-br', 'addr', 'show', 'eth0')).toContain(a.addresses.persist!.ip);
    sleeper.kill('SIGKILL');
    await manager.release(alive);
    await manager.remove('persist');
    expect(links()).not.toContain(net1.bridge);
  });
});
