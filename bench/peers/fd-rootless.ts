// Our engine run rootless as a benchmark peer (issue #10): a throwaway user with its own subordinate id range
// runs `bin/fd engine` on a private root under /tmp, the way engine/rootless/rootless.test.ts does it, so the
// cases can put rootless next to rootful. Needs root (to make the user); `rootlessUnavailable()` says why not.
// `remove()` ends everything the user still runs (engines, pause processes, containers) by pid, deletes the
// user and its files, and is safe to call after any failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fdBin } from '../paths';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SETPRIV = '/usr/bin/setpriv';

export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
  /** Private, user-owned directory the engine roots go in. */
  base: string;
  /** Argv prefix that runs a command as the user (setpriv execs in place: the pid is the command's). */
  asUser: string[];
  /** The user's whole environment (timeCommand lays it over the bench's own). */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export interface FdRootlessPeer {
  root: string;
  /** Argv prefix for the CLI against this engine, as the user: `setpriv … node bin/fd --root ROOT`. */
  cli: string[];
  env: NodeJS.ProcessEnv;
  /** Runs `fd ARGS` as the user to completion; throws on a non-zero exit. */
  fd(args: string[]): string;
  stop(): Promise<void>;
}

/** Why the rootless peer cannot run here, or null when it can. */
export function rootlessUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'rootless: the bench must run as root to create a throwaway user';
  for (const tool of ['useradd', 'usermod', 'userdel', 'newuidmap', 'newgidmap']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH } }).status !== 0) return `rootless: ${tool} not installed (apt-get install passwd uidmap)`;
  }
  // The user runs the repo's bin/fd and dist/ in place: every directory above them must be searchable by others.
  for (let dir = path.dirname(fdBin); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (!(fs.statSync(dir).mode & 0o001)) return `rootless: ${dir} is not searchable by other users (chmod o+x ${dir})`;
  }
  return null;
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Pids of every live process the user still has (zombies are dead already: they wait for their parent). */
function processesOf(uid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        if (fs.statSync(`/proc/${e}`).uid !== uid) return false;
        const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

function killAll(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Makes `fdbrlPID` with 65536 subordinate uids and gids of its own (a range apart from the rootless test's). */
export function createRootlessUser(): RootlessUser {
  const name = `fdbrl${process.pid % 100000}`;
  const subStart = 2_000_000 + (process.pid % 50) * 65536;
  let uid = -1;
  let base = '';
  const remove = () => {
    if (uid > 0) {
      // The engine, its pause processes (namespace holders) and containers all run as the user's uid on the
      // host (containers as its subordinate ids, but inside the pause process's namespace they die with it).
      // A SIGKILLed process stays in /proc until its parent reaps it: look again until none is left (≤ 3 s).
      for (let i = 0; i < 30; i++) {
        const left = processesOf(uid);
        if (!left.length) break;
        killAll(left);
        spawnSync('sleep', ['0.1']);
      }
    }
    spawnSync('userdel', ['-r', '-f', name], { encoding: 'utf8', env: { ...process.env, PATH } });
    if (base) fs.rmSync(base, { recursive: true, force: true });
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
  };
  // A bench stopped with Ctrl-C must not leave a user account behind (finally blocks do not run then).
  const interrupted = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    sh('useradd', ['-m', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', '-s', '/bin/sh', name]);
    uid = Number(sh('id', ['-u', name]).trim());
    const gid = Number(sh('id', ['-g', name]).trim());
    const range = `${subStart}-${subStart + 65535}`;
    sh('usermod', ['--add-subuids', range, '--add-subgids', range, name]);
    const home = sh('getent', ['passwd', name]).split(':')[5]!;
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-rl-'));
    fs.chownSync(base, uid, gid);
    fs.chmodSync(base, 0o700);
    return {
      name,
      uid,
      gid,
      base,
      asUser: [SETPRIV, '--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--'],
      env: { HOME: home, USER: name, LOGNAME: name, PATH, XDG_RUNTIME_DIR: undefined, XDG_DATA_HOME: undefined },
      remove,
    };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Kills the namespace holder of a root by the pid the engine recorded there. */
function killPause(root: string) {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(root, 'userns.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  } catch {
    // no namespace was made, or it is gone
  }
}

/** Starts `fd engine` as the user on a fresh root under the user's base; resolves once it says it is ready. */
export async function startFdRootless(user: RootlessUser): Promise<FdRootlessPeer> {
  const root = fs.mkdtempSync(path.join(user.base, 'root-'));
  fs.chownSync(root, user.uid, user.gid);
  const cli = [...user.asUser, process.execPath, fdBin, '--root', root];
  const env = { ...process.env, ...user.env };
  const child: ChildProcess = spawn(cli[0]!, [...cli.slice(1), 'engine'], { env, cwd: user.base, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    // The overlay mounts live in the pause process's mount namespace: they go with it. As root on the host
    // every file of the root (subordinate-owned layers too) can then be removed.
    killPause(root);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rootless fd engine not ready in 30 s: ${out}`)), 30_000);
      child.stdout!.on('data', () => {
        if (out.includes('engine ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void gone.then(() => {
        clearTimeout(timer);
        reject(new Error(`rootless fd engine exited: ${out}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const fd = (args: string[]) => {
    const r = spawnSync(cli[0]!, [...cli.slice(1), ...args], { env, cwd: user.base, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`fd (rootless) ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  return { root, cli, env: user.env, fd, stop };
}
