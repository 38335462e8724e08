// The rootless engine's namespaces (podman's model): a pause process holds a user namespace that maps 0 → the
// user and 1..N → the user's subordinate ids, plus a private mount namespace where the overlay mounts live. Each
// `fd engine` joins it with nsenter (uid 0 there, full capabilities over what the namespace owns), so chown,
// overlay and whiteouts work, and engines restarted later see the same mounts the running containers use.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../api/errors';
import { isAlive, processStartTime } from '../runtime/host';
import { execFile } from '../runtime/exec-file';
import type { IdRange, RootlessHost } from './preflight';
import { HOST_GID_ENV, HOST_UID_ENV } from './mode';

/** Per data root: which pause process holds this root's namespaces. */
export function pauseFile(root: string): string {
  return path.join(root, 'userns.json');
}

interface PauseRecord {
  pid: number;
  startTime: string | null;
}

/** newuidmap/newgidmap arguments: inside 0 → the user's own id, then the subordinate ranges back to back from 1. */
export function idMapArgs(pid: number, ownId: number, ranges: IdRange[]): string[] {
  const args = [String(pid), '0', String(ownId), '1'];
  let inside = 1;
  for (const r of ranges) {
    args.push(String(inside), String(r.start), String(r.count));
    inside += r.count;
  }
  return args;
}

function readPause(root: string): PauseRecord | null {
  try {
    const rec = JSON.parse(fs.readFileSync(pauseFile(root), 'utf8')) as PauseRecord;
    if (!isAlive(rec.pid, rec.startTime)) return null;
    // The pid must still be in a namespace of its own (not a reused pid of some other process of ours).
    if (fs.readlinkSync(`/proc/${rec.pid}/ns/user`) === fs.readlinkSync('/proc/self/ns/user')) return null;
    return rec;
  } catch {
    return null;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new EngineError('unavailable', `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startPause(root: string, host: RootlessHost): Promise<PauseRecord> {
  const child = spawn(host.unshare, ['--user', '--mount', '--propagation', 'private', '--', 'sleep', 'infinity'], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
  });
  const pid = child.pid;
  child.unref();
  if (!pid) throw new EngineError('unavailable', `could not start ${host.unshare}`);
  const ownNs = fs.readlinkSync('/proc/self/ns/user');
  const exited = { code: null as number | null };
  child.once('exit', (code) => (exited.code = code ?? 1));
  const fail = async (message: string): Promise<never> => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    throw new EngineError('unavailable', message);
  };
  await waitUntil(() => exited.code !== null || readLink(`/proc/${pid}/ns/user`) !== ownNs, 5000, 'the user namespace');
  if (exited.code !== null) return fail(`unshare --user failed (exit ${exited.code}): are unprivileged user namespaces allowed?`);
  for (const [tool, ids, own] of [
    [host.newuidmap, host.subuids, host.uid],
    [host.newgidmap, host.subgids, host.gid],
  ] as const) {
    const r = await execFile(tool, idMapArgs(pid, own, ids), { timeoutMs: 10_000 });
    if (r.code !== 0) {
      return fail(`${path.basename(tool)} failed: ${r.stderr.trim() || `exit ${r.code}`} (check /etc/subuid and /etc/subgid for ${host.user}, and that ${tool} is setuid root)`);
    }
  }
  const rec: PauseRecord = { pid, startTime: processStartTime(pid) };
  // Publish atomically; if another engine raced us to it, use theirs and drop ours.
  const tmp = `${pauseFile(root)}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(rec));
  const existing = readPause(root);
  if (existing) {
    fs.rmSync(tmp, { force: true });
    process.kill(pid, 'SIGKILL');
    return existing;
  }
  fs.renameSync(tmp, pauseFile(root));
  return rec;
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

/** The pause process of this root, started when there is none (or the old one is gone). */
export async function ensurePause(root: string, host: RootlessHost): Promise<number> {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  return (readPause(root) ?? (await startPause(root, host))).pid;
}

/**
 * Runs `command` as uid 0 of the root's user namespace (and in its mount namespace) with stdio inherited,
 * forwarding signals; resolves with its exit code.
 */
export async function runInUserNamespace(root: string, host: RootlessHost, command: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const pid = await ensurePause(root, host);
  const child = spawn(host.nsenter, ['--user', '--mount', '-t', String(pid), `--wd=${process.cwd()}`, '--', ...command], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new EngineError('unavailable', `nsenter: ${err.message}`)));
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

/**
 * Runs this same command (`node .../cli.js ... engine ...`) again inside the namespaces. The inner engine knows
 * the real user from the environment.
 */
export function reexecInUserNamespace(root: string, host: RootlessHost, argv = process.argv): Promise<number> {
  return runInUserNamespace(root, host, [process.execPath, ...process.execArgv, ...argv.slice(1)], innerEngineEnv(process.env, host));
}

/** The inner engine's environment: who the user really is, and under Electron, the binary acting as plain Node. */
export function innerEngineEnv(env: NodeJS.ProcessEnv, host: { uid: number; gid: number }, versions: NodeJS.ProcessVersions = process.versions): NodeJS.ProcessEnv {
  return {
    ...env,
    [HOST_UID_ENV]: String(host.uid),
    [HOST_GID_ENV]: String(host.gid),
    // process.execPath is the Electron binary in the packaged app: without this it would start another app.
    ...(versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
  };
}
