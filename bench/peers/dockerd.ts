// Debian's dockerd as a benchmark peer: a private daemon (own socket, data root, exec root, pidfile) with no
// bridge and no iptables rules, trusting only the loopback test registry, so nothing it does leaves this host
// or touches another daemon. `stop()` ends it (and the containerd it started) and removes its directories.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processTreeRss } from './rss';

export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER_CLI = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => fs.existsSync(p));

export interface DockerdPeer {
  socket: string;
  /** Env for the docker CLI: DOCKER_HOST on the private socket, a private config dir. */
  env: NodeJS.ProcessEnv;
  /** RSS of dockerd plus the containerd it runs, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

export function dockerdInstalled(): boolean {
  return fs.existsSync(DOCKERD) && DOCKER_CLI !== undefined;
}

/** Starts dockerd; resolves once `docker version` answers on its socket. */
export async function startDockerd(options: { insecureRegistries?: string[] } = {}): Promise<DockerdPeer> {
  // Short paths: containerd's sockets live under the exec root and unix socket paths are limited to 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-dk-'));
  const socket = path.join(dir, 'docker.sock');
  const execRoot = path.join(dir, 'x');
  const args = [
    `--host=unix://${socket}`,
    `--data-root=${path.join(dir, 'data')}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${path.join(dir, 'docker.pid')}`,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    '--storage-driver=overlay2',
    '--log-level=warn',
    ...(options.insecureRegistries ?? []).map((r) => `--insecure-registry=${r}`),
  ];
  const logFile = path.join(dir, 'dockerd.log');
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(DOCKERD, args, { stdio: ['ignore', out, out], detached: false });
  fs.closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  const env: NodeJS.ProcessEnv = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'cli') };
  fs.mkdirSync(env.DOCKER_CONFIG!, { recursive: true });

  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    // dockerd unmounts its overlay layers on a clean stop; anything left is unmounted before the rm.
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const log = fs.readFileSync(logFile, 'utf8').slice(-2000);
      await stop();
      throw new Error(`dockerd exited before it answered: ${log}`);
    }
    const r = spawnSync(DOCKER_CLI!, ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (r.status === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not answer on ${socket} in 30 s: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { socket, env, rssMb: () => processTreeRss(child.pid!), stop };
}
