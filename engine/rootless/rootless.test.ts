// The engine as an ordinary user (issue #10), for real: a throwaway user with a subordinate id range runs
// `fd engine` on a private root; images come from a loopback registry and containers run under runc rootless.
// Needs root to make the user (CI runs as root); skipped otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fdBin } from '../testing/engine';
import { freePort, startRegistry, type TestRegistry } from '../testing/registry';
import { buildImage, busyboxLayer, pushImage } from '../testing/image-builder';
import { idMapArgs, innerEngineEnv } from './userns';
import { pastaPortArgs } from './pasta';
import { parseSubordinateIds } from './preflight';
import { adaptSpecForRootless } from './spec';

const isRoot = process.getuid?.() === 0;
const USER = `fdrl${process.pid % 100000}`;
const SUB_START = 400000 + (process.pid % 50) * 65536;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let uid = 0;
let gid = 0;
let home = '';
let base = '';

function sh(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: home, USER, LOGNAME: USER, PATH, ...extra };
}

/** Spawns `node bin/fd ARGS` as the test user (setpriv execs in place, so the pid is fd's). */
function spawnAsUser(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('/usr/bin/setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', process.execPath, fdBin, ...args], {
    env: userEnv(env),
    cwd: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function fdAsUser(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnAsUser(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fd ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

interface UserEngine {
  child: ChildProcess;
  output(): string;
  stop(): Promise<number>;
}

async function startUserEngine(args: string[], env: NodeJS.ProcessEnv = {}): Promise<UserEngine> {
  const child = spawnAsUser([...args, 'engine'], env);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + os.constants.signals[signal] : 1))));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rootless engine not ready in 30s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (out.includes('engine ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rootless engine exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Pids of every process the throwaway user still has (container monitors and containers a failed test left). */
function processesOf(owner: number): number[] {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
    try {
      return fs.statSync(`/proc/${e}`).uid === owner;
    } catch {
      return false;
    }
  }).map(Number);
}

/** Kills the namespace holder of a root by the pid the engine recorded. */
function killPause(root: string) {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(root, 'userns.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  } catch {
    // no namespace was made
  }
}

describe('rootless pieces', () => {
  it('maps 0 to the user and the subordinate ranges back to back from 1', () => {
    expect(idMapArgs(42, 1001, [{ start: 100000, count: 65536 }, { start: 300000, count: 10 }])).toEqual(['42', '0', '1001', '1', '1', '100000', '65536', '65537', '300000', '10']);
  });

  it('re-runs an Electron binary as Node inside the namespace, and tells the inner engine the real user', () => {
    const env = innerEngineEnv({ PATH: '/bin' }, { uid: 1234, gid: 99 }, { ...process.versions, electron: '45.0.0' });
    expect(env).toMatchObject({ PATH: '/bin', _FD_ROOTLESS_UID: '1234', _FD_ROOTLESS_GID: '99', ELECTRON_RUN_AS_NODE: '1' });
    const plainNode = innerEngineEnv({ PATH: '/bin' }, { uid: 1234, gid: 99 }, { ...process.versions, electron: undefined } as unknown as NodeJS.ProcessVersions);
    expect(plainNode.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('publishes ports with a pasta that leaves the container interface to netavark', () => {
    const args = pastaPortArgs('/ns', '/pid', [
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 5000, containerPort: 5000, protocol: 'udp', range: 3 },
    ]);
    expect(args).not.toContain('--config-net');
    expect(args.slice(args.indexOf('-t'), args.indexOf('-t') + 4)).toEqual(['-t', '127.0.0.1/8080:80', '-u', '5000-5002:5000-5002']);
  });

  it('reads /etc/subuid ranges by name or uid and ignores other users', () => {
    const text = 'alice:100000:65536\n1001:300000:1000\nbob:165536:65536\n# comment\nalice:bad:1\n';
    expect(parseSubordinateIds(text, 'alice', 1001)).toEqual([{ start: 100000, count: 65536 }, { start: 300000, count: 1000 }]);
    expect(parseSubordinateIds(text, 'carol', 1002)).toEqual([]);
  });

  it('drops cgroup path and limits in a user namespace, keeps them as root', () => {
    const spec = () => ({ linux: { cgroupsPath: '/fd/x', resources: { devices: [], memory: { limit: 1 }, pids: { limit: 5 } } } });
    const warnings: string[] = [];
    const stderr = process.stderr.write;
    process.stderr.write = ((m: string) => (warnings.push(m), true)) as typeof process.stderr.write;
    try {
      expect(adaptSpecForRootless(spec(), true)).toEqual({ linux: { resources: { devices: [] } } });
    } finally {
      process.stderr.write = stderr;
    }
    expect(warnings.join('')).toMatch(/memory, pids limits ignored/);
    expect(adaptSpecForRootless(spec(), false)).toEqual(spec());
  });
});

describe.skipIf(!isRoot)('fd engine as an unprivileged user', () => {
  let reg: TestRegistry;
  let root: string;
  let engine: UserEngine | null = null;
  let image = '';
  const env = () => ({});

  beforeAll(async () => {
    // A user with no subordinate ids first: the preflight test adds them.
    sh('useradd', ['-m', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', '-s', '/bin/sh', USER]);
    uid = Number(sh('id', ['-u', USER]).trim());
    gid = Number(sh('id', ['-g', USER]).trim());
    home = sh('getent', ['passwd', USER]).split(':')[5]!;
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-rootless-'));
    fs.chmodSync(base, 0o755);
    root = path.join(base, 'root');
    fs.mkdirSync(root);
    fs.chownSync(root, uid, gid);
    reg = await startRegistry();
    // busybox plus a layer with a non-root owner, an opaque directory and a whiteout.
    const lower = await busyboxLayer();
    const image1 = await buildImage({
      layers: [
        lower,
        [
          { path: 'home/', type: 'directory' },
          { path: 'home/app/', type: 'directory', uid: 1000, gid: 1000, mode: 0o750 },
          { path: 'home/app/owned', content: 'mine\n', uid: 1000, gid: 1000 },
          { path: 'old/', type: 'directory' },
          { path: 'old/a', content: 'a' },
          { path: 'gone', content: 'soon gone' },
        ],
        [
          { path: 'old/', type: 'directory' },
          { path: 'old/.wh..wh..opq', content: '' },
          { path: 'old/b', content: 'b' },
          { path: '.wh.gone', content: '' },
        ],
      ],
      config: { Cmd: ['sh'], Env: [`PATH=${PATH}`] },
    });
    await pushImage(reg, 'rootless/busybox', 'v1', image1);
    image = `${reg.host}/rootless/busybox:v1`;
  });

  afterAll(async () => {
    if (engine) {
      await fdAsUser(['--root', root, 'rm', '-f', 'rl-top', 'rl-web', 'rl-a', 'rl-b'], env()).catch(() => undefined);
      await engine.stop();
    }
    killPause(root);
    // Only this test's throwaway user owns these: whatever a failed test left running goes, by pid.
    for (const pid of uid ? processesOf(uid) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    await reg?.stop();
    spawnSync('userdel', ['-r', '-f', USER], { encoding: 'utf8' });
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it('says exactly what to run when a package or the subordinate ids are missing', async () => {
    const noSubids = await fdAsUser(['--root', root, 'engine']);
    expect(noSubids.code).toBe(125);
    expect(noSubids.stderr).toContain(`usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${USER}`);
    // A PATH without newuidmap (and nothing else to find it in): the uidmap package is named.
    const empty = fs.mkdtempSync(path.join(base, 'nopath-'));
    const noTools = await fdAsUser(['--root', root, 'engine'], { PATH: empty });
    expect(noTools.code).toBe(125);
    expect(noTools.stderr).toContain('apt-get install uidmap');
    sh('usermod', ['--add-subuids', `${SUB_START}-${SUB_START + 65535}`, '--add-subgids', `${SUB_START}-${SUB_START + 65535}`, USER]);
  });

  it('runs the engine in its own user namespace with its store and sockets owned by the user', async () => {
    engine = await startUserEngine(['--root', root]);
    const info = await fdAsUser(['--root', root, 'info']);
    expect(info.code, info.stderr).toBe(0);
    for (const f of ['store.db', 'engine.sock', 'docker.sock']) expect(fs.statSync(path.join(root, f)).uid).toBe(uid);
    const { pid } = JSON.parse(fs.readFileSync(path.join(root, 'userns.json'), 'utf8')) as { pid: number };
    expect(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', String(uid), '1', '1', String(SUB_START), '65536']);
    // The Docker API socket serves the docker CLI of the same user.
    const docker = spawnSync('/usr/bin/setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', '/usr/local/bin/docker', '-H', `unix://${root}/docker.sock`, 'ps', '-a'], { env: userEnv(), encoding: 'utf8' });
    expect(docker.status, docker.stderr).toBe(0);
    expect(docker.stdout).toMatch(/^CONTAINER ID/);
    // One engine per root still holds as a user.
    const second = await fdAsUser(['--root', root, 'engine']);
    expect(second.code).toBe(125);
    expect(second.stderr).toMatch(/engine already running/);
  });

  it('pulls from a loopback registry and runs busybox with logs, layers owned inside the mapped range', async () => {
    const pull = await fdAsUser(['--root', root, 'pull', image]);
    expect(pull.code, pull.stderr).toBe(0);
    const run = await fdAsUser(['--root', root, 'run', '--name', 'rl-echo', '--network', 'none', image, 'sh', '-c', 'echo hello from $(id -u); stat -c "%u:%g" /home/app/owned; ls /old; test -e /gone || echo gone is gone']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hello from 0\n1000:1000\nb\ngone is gone\n');
    const logs = await fdAsUser(['--root', root, 'logs', 'rl-echo']);
    expect(logs.stdout).toContain('hello from 0');
    // On the host the image's uid 1000 is subordinate id 999 of the range, uid 0 is the user.
    const owned = spawnSync('find', [path.join(root, 'images'), '-name', 'owned', '-printf', '%U:%G\n'], { encoding: 'utf8' }).stdout.trim();
    expect(owned).toBe(`${SUB_START + 999}:${SUB_START + 999}`);
    const busybox = spawnSync('find', [path.join(root, 'images'), '-name', 'busybox', '-type', 'f', '-printf', '%U\n'], { encoding: 'utf8' }).stdout.trim();
    expect(busybox).toBe(String(uid));
  });

  it('bind-mounts a host dir whose files belong to the user on the host', async () => {
    const dir = path.join(base, 'shared');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'seed'), 'from the host\n');
    fs.chownSync(dir, uid, gid);
    fs.chownSync(path.join(dir, 'seed'), uid, gid);
    const run = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'none', '-v', `${dir}:/data`, image, 'sh', '-c', 'stat -c %u /data/seed; cat /data/seed; echo made > /data/made']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('0\nfrom the host\n');
    const made = fs.statSync(path.join(dir, 'made'));
    expect([made.uid, made.gid]).toEqual([uid, gid]);
    // A non-root user in the container writes as a subordinate id on the host.
    const app = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'none', '--user', '1000:1000', '-v', `${dir}:/data`, image, 'sh', '-c', 'mkdir /data/app-dir 2>/dev/null || echo denied']);
    expect(app.stdout).toBe('denied\n');
    fs.chmodSync(dir, 0o777);
    const app2 = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'none', '--user', '1000:1000', '-v', `${dir}:/data`, image, 'mkdir', '/data/app-dir']);
    expect(app2.code, app2.stderr).toBe(0);
    expect(fs.statSync(path.join(dir, 'app-dir')).uid).toBe(SUB_START + 999);
    // A named volume lives in the root and belongs to the user too.
    const vol = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'none', '-v', 'rlvol:/data', image, 'sh', '-c', 'echo kept > /data/v']);
    expect(vol.code, vol.stderr).toBe(0);
    const files = spawnSync('find', [path.join(root, 'volumes'), '-name', 'v', '-printf', '%U:%G\n'], { encoding: 'utf8' }).stdout.trim();
    expect(files).toBe(`${uid}:${gid}`);
  });

  it('networks a default-mode container through the rootless netns: its own address, published ports on host loopback, the host via the gateway', async () => {
    const port = await freePort();
    const web = await fdAsUser(['--root', root, 'run', '-d', '--name', 'rl-web', '-p', `127.0.0.1:${port}:8080`, image, 'sh', '-c', 'mkdir /www && echo served rootless > /www/index.html && exec httpd -f -p 8080 -h /www']);
    expect(web.code, web.stderr).toBe(0);
    const inspect = await fdAsUser(['--root', root, 'inspect', 'rl-web']);
    const [info] = JSON.parse(inspect.stdout) as { networkSettings: { networks: Record<string, { ip: string }> } }[];
    const ip = info!.networkSettings.networks.bridge!.ip;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('served rootless\n');
    const addr = await fdAsUser(['--root', root, 'exec', 'rl-web', 'sh', '-c', "ip -4 -o addr show eth0 | awk '{print $4}'; ip route | awk '/default/ {print $3}'"]);
    const [ipnet, gateway] = addr.stdout.trim().split('\n');
    expect(ipnet!.split('/')[0]).toBe(ip);
    // The gateway stands for the host: the loopback registry answers through it.
    const [, regPort] = reg.host.split(':');
    const v2 = await fdAsUser(['--root', root, 'exec', 'rl-web', 'wget', '-q', '-O', '-', `http://${gateway}:${regPort}/v2/`]);
    expect(v2.stdout.trim()).toBe('{}');
    const rm = await fdAsUser(['--root', root, 'rm', '-f', 'rl-web']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(await fetch(`http://127.0.0.1:${port}/`).then(() => 'answered', () => 'refused')).toBe('refused');
  });

  it('lets two containers on a user network reach each other by name, and one container join two networks', async () => {
    for (const net of ['rl-net', 'rl-net2']) {
      const created = await fdAsUser(['--root', root, 'network', 'create', net]);
      expect(created.code, created.stderr).toBe(0);
    }
    const a = await fdAsUser(['--root', root, 'run', '-d', '--name', 'rl-a', '--network', 'rl-net', image, 'sleep', '300']);
    expect(a.code, a.stderr).toBe(0);
    const b = await fdAsUser(['--root', root, 'run', '-d', '--name', 'rl-b', '--network', 'rl-net', '--network-alias', 'bee', image, 'sleep', '300']);
    expect(b.code, b.stderr).toBe(0);
    const inspect = await fdAsUser(['--root', root, 'inspect', 'rl-b']);
    const bIp = (JSON.parse(inspect.stdout) as { networkSettings: { networks: Record<string, { ip: string }> } }[])[0]!.networkSettings.networks['rl-net']!.ip;
    // aardvark-dns on the network's gateway answers with the peer's address, by name and by alias.
    for (const name of ['rl-b', 'bee']) {
      const look = await fdAsUser(['--root', root, 'exec', 'rl-a', 'nslookup', name]);
      expect(look.stdout, look.stderr).toContain(bIp);
    }
    const ping = await fdAsUser(['--root', root, 'exec', 'rl-a', 'ping', '-c1', '-W5', 'rl-b']);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const connect = await fdAsUser(['--root', root, 'network', 'connect', 'rl-net2', 'rl-a']);
    expect(connect.code, connect.stderr).toBe(0);
    const links = await fdAsUser(['--root', root, 'exec', 'rl-a', 'sh', '-c', 'ip -o -4 addr | grep -c eth']);
    expect(links.stdout.trim()).toBe('2');
    const rm = await fdAsUser(['--root', root, 'rm', '-f', 'rl-a', 'rl-b']);
    expect(rm.code, rm.stderr).toBe(0);
    const netRm = await fdAsUser(['--root', root, 'network', 'rm', 'rl-net', 'rl-net2']);
    expect(netRm.code, netRm.stderr).toBe(0);
  });

  it('brings a compose project up and down, one service pinging the other by its service name', async () => {
    const dir = path.join(base, 'proj');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  db:',
        `    image: ${image}`,
        '    command: ["sleep", "300"]',
        '  app:',
        `    image: ${image}`,
        '    command: ["sh", "-c", "until ping -c1 -W2 db; do sleep 0.2; done; echo reached db; sleep 300"]',
        '    depends_on: [db]',
        'volumes: {}',
        '',
      ].join('\n'),
    );
    fs.chmodSync(dir, 0o777);
    const file = path.join(dir, 'compose.yaml');
    const up = await fdAsUser(['--root', root, 'compose', '-f', file, '-p', 'rlproj', 'up', '-d'], {}, 120_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    let logs = '';
    for (let i = 0; i < 60 && !logs.includes('reached db'); i++) {
      logs = (await fdAsUser(['--root', root, 'compose', '-f', file, '-p', 'rlproj', 'logs', 'app'])).stdout;
      if (!logs.includes('reached db')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(logs).toContain('reached db');
    const down = await fdAsUser(['--root', root, 'compose', '-f', file, '-p', 'rlproj', 'down', '-v'], {}, 120_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    const ps = await fdAsUser(['--root', root, 'ps', '-a', '-q', '--filter', 'label=com.docker.compose.project=rlproj']);
    expect(ps.stdout.trim()).toBe('');
    const nets = await fdAsUser(['--root', root, 'network', 'ls', '-q', '--filter', 'name=rlproj']);
    expect(nets.stdout.trim()).toBe('');
  });

  it('runs with the host network, and with memory/pids limits dropped (not delegated) instead of failing', async () => {
    const host = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'host', image, 'sh', '-c', 'ip -o link | grep -c "lo:"; hostname']);
    expect(host.stderr).toBe('');
    expect(host.code).toBe(0);
    expect(host.stdout.split('\n')[0]).toBe('1');
    const limited = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'none', '--memory', '64m', '--pids-limit', '50', image, 'echo', 'limited']);
    expect(limited.stderr).toBe('');
    expect(limited.stdout).toBe('limited\n');
    expect(engine!.output()).toMatch(/memory, pids limits ignored: cgroups are not delegated/);
  });

  it('gives a container a terminal (run -t under a pty)', async () => {
    const cmd = `${process.execPath} ${fdBin} --root ${root} run --rm -t --network none ${image} sh -c 'tty; stat -c %g $(tty)'`;
    const r = spawnSync('/usr/bin/setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', '/usr/bin/script', '-qec', cmd, '/dev/null'], {
      env: userEnv(),
      cwd: base,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The pty slave is the container's own devpts, group tty (5) as docker sets it.
    expect(r.stdout.replace(/\r/g, '')).toMatch(/^\/dev\/pts\/0\n5\n/);
  });

  it('refuses a layer owned by an id outside the mapped range, saying how to widen it', async () => {
    await pushImage(reg, 'rootless/bigid', 'v1', await buildImage({ layers: [[{ path: 'far', content: 'x', uid: 70000, gid: 70000 }]] }));
    const pull = await fdAsUser(['--root', root, 'pull', `${reg.host}/rootless/bigid:v1`]);
    expect(pull.code).toBe(125);
    expect(pull.stderr).toContain('cannot map (its user namespace maps ids 0-65536)');
    expect(pull.stderr).toContain('/etc/subuid');
  });

  it('defaults to $XDG_DATA_HOME/flying-dutchman with sockets under $XDG_RUNTIME_DIR/flying-dutchman', async () => {
    const xdg = { XDG_DATA_HOME: path.join(base, 'xdg-data'), XDG_RUNTIME_DIR: path.join(base, 'xdg-run') };
    for (const d of Object.values(xdg)) {
      fs.mkdirSync(d, { mode: 0o700 });
      fs.chownSync(d, uid, gid);
    }
    const defaultRoot = path.join(xdg.XDG_DATA_HOME, 'flying-dutchman');
    const other = await startUserEngine([], xdg);
    try {
      const info = await fdAsUser(['info'], xdg);
      expect(info.code, info.stderr).toBe(0);
      expect(info.stdout).toContain(defaultRoot);
      expect(info.stdout).toContain(path.join(xdg.XDG_RUNTIME_DIR, 'flying-dutchman', 'engine.sock'));
      expect(fs.statSync(path.join(xdg.XDG_RUNTIME_DIR, 'flying-dutchman', 'docker.sock')).uid).toBe(uid);
    } finally {
      await other.stop();
      killPause(defaultRoot);
    }
  });

  it('falls back to fuse-overlayfs (FD_OVERLAY=fuse-overlayfs) with the same whiteouts and owners', async () => {
    const root2 = path.join(base, 'root-fuse');
    fs.mkdirSync(root2);
    fs.chownSync(root2, uid, gid);
    const fuse = await startUserEngine(['--root', root2], { FD_OVERLAY: 'fuse-overlayfs' });
    try {
      expect((await fdAsUser(['--root', root2, 'pull', image])).code).toBe(0);
      const run = await fdAsUser(['--root', root2, 'run', '-d', '--name', 'rl-fuse', '--network', 'none', image, 'sleep', '300']);
      expect(run.code, run.stderr).toBe(0);
      const { pid } = JSON.parse(fs.readFileSync(path.join(root2, 'userns.json'), 'utf8')) as { pid: number };
      const mounts = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter((l) => l.includes(root2) && l.includes('/rootfs '));
      expect(mounts.join('\n')).toContain('fuse-overlayfs');
      const look = await fdAsUser(['--root', root2, 'exec', 'rl-fuse', 'sh', '-c', 'ls /old; test -e /gone || echo gone is gone; stat -c %u:%g /home/app/owned']);
      expect(look.stdout).toBe('b\ngone is gone\n1000:1000\n');
      expect((await fdAsUser(['--root', root2, 'rm', '-f', 'rl-fuse'])).code).toBe(0);
    } finally {
      await fuse.stop();
      killPause(root2);
    }
  });

  it('keeps containers across an engine restart (same namespaces) and removes them', async () => {
    expect((await fdAsUser(['--root', root, 'network', 'create', 'rl-keep'])).code).toBe(0);
    const top = await fdAsUser(['--root', root, 'run', '-d', '--name', 'rl-top', '--network', 'rl-keep', image, 'sh', '-c', 'echo up; sleep 300']);
    expect(top.code, top.stderr).toBe(0);
    expect(await engine!.stop()).toBe(0);
    engine = await startUserEngine(['--root', root]);
    const state = await fdAsUser(['--root', root, 'inspect', '-f', '{{.State.Status}}', 'rl-top']);
    expect(state.stdout.trim()).toBe('running');
    const exec = await fdAsUser(['--root', root, 'exec', 'rl-top', 'cat', '/old/b']);
    expect(exec.stdout).toBe('b');
    // The rootless netns outlives the engine: a container started by the new engine reaches the old one by name.
    const peer = await fdAsUser(['--root', root, 'run', '--rm', '--network', 'rl-keep', image, 'ping', '-c1', '-W5', 'rl-top']);
    expect(peer.code, peer.stdout + peer.stderr).toBe(0);
    const rm = await fdAsUser(['--root', root, 'rm', '-f', 'rl-top', 'rl-echo']);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await fdAsUser(['--root', root, 'network', 'rm', 'rl-keep'])).code).toBe(0);
    // Their dirs are gone, which also means the overlays (mounted only inside the namespace) were unmounted.
    expect(fs.readdirSync(path.join(root, 'containers')).filter((n) => /^[0-9a-f]{64}$/.test(n))).toEqual([]);
  });

  it('fd unshare runs a command as uid 0 of the namespace, where subordinate-owned files can be removed', async () => {
    const owned = spawnSync('find', [path.join(root, 'images'), '-name', 'owned'], { encoding: 'utf8' }).stdout.trim();
    expect(owned).not.toBe('');
    // Outside, the user cannot delete what a subordinate id owns.
    const outside = spawnSync('/usr/bin/setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', '/bin/rm', '-f', owned], { encoding: 'utf8' });
    expect(outside.status).not.toBe(0);
    const inside = await fdAsUser(['--root', root, 'unshare', 'sh', '-c', `id -u; stat -c %u ${owned}; rm -r ${path.dirname(owned)}`]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toBe('0\n1000\n');
    expect(fs.existsSync(owned)).toBe(false);
  });
});
