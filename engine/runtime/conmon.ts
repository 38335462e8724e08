// Drives conmon, the per-container monitor (podman's model, design §6): conmon runs `runc create`, holds the
// container's stdio, writes the k8s-file log and the exit file, and outlives the engine. The engine then runs
// `runc start` itself.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { EngineError } from '../api/errors';
import { cleanEnv } from './exec-file';
import type { OciRuntime } from './oci';
import { processStartTime } from './host';

export interface ConmonLaunch {
  conmon: string;
  runtime: OciRuntime;
  /** Container id (for exec: the container's id). */
  id: string;
  /** Distinct session id: the container id, or the exec id. */
  sessionId: string;
  name: string;
  /** Bundle dir (config.json inside); conmon puts `attach`, `ctl` and `winsz` here. */
  bundle: string;
  /** conmon's cwd and its pid files (conmon also drops an `oom` file in its cwd). */
  workDir: string;
  exitDir: string;
  persistDir: string;
  logPath: string;
  logSizeMax?: number;
  tty: boolean;
  stdin: boolean;
  /** Keep the process's stdin open when an attached client disconnects. */
  leaveStdinOpen?: boolean;
  /** For exec: the process.json to run inside the running container. */
  execProcessSpec?: string;
  /**
   * For exec: called once conmon's attach socket exists and before the runtime runs the process
   * (`--exec-attach`, podman's order), so an attach made here misses no output.
   */
  execAttach?: (bundle: string) => Promise<void>;
  timeoutMs?: number;
}

export interface ConmonResult {
  /** The container (or exec) process pid. */
  pid: number;
  conmonPid: number;
  /** /proc start time of conmon, to tell it from a later process with the same pid. */
  conmonStartTime: string | null;
}

export function conmonArgs(l: ConmonLaunch): string[] {
  const args = [
    '--api-version', '1',
    '-c', l.id,
    '-u', l.sessionId,
    '-r', l.runtime.path,
    '-b', l.bundle,
    '-p', path.join(l.workDir, 'pidfile'),
    '-n', l.name,
    '--exit-dir', l.exitDir,
    '--persist-dir', l.persistDir,
    '--full-attach',
    '-l', `k8s-file:${l.logPath}`,
    '--conmon-pidfile', path.join(l.workDir, 'conmon.pid'),
    '--log-level', 'error',
  ];
  if (l.logSizeMax && l.logSizeMax > 0) args.push('--log-size-max', String(l.logSizeMax));
  for (const a of l.runtime.globalArgs()) args.push('--runtime-arg', a);
  if (l.tty) args.push('-t');
  if (l.stdin) args.push('-i');
  if (l.stdin && l.leaveStdinOpen) args.push('--leave-stdin-open');
  if (l.execProcessSpec) args.push('-e', '--exec-process-spec', l.execProcessSpec);
  if (l.execAttach) args.push('--exec-attach');
  return args;
}

/** Reads the first newline-terminated JSON object conmon writes on the sync pipe. */
function readSyncMessage(pipe: Readable, timeoutMs: number): Promise<{ data: number; message?: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new Error(`conmon did not report within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(null, buf.slice(0, nl));
    };
    const onEnd = () => finish(new Error(`conmon closed its sync pipe without a result${buf ? `: ${buf}` : ''}`));
    const finish = (err: Error | null, line?: string) => {
      clearTimeout(timer);
      pipe.off('data', onData);
      pipe.off('end', onEnd);
      pipe.off('close', onEnd);
      if (err) return reject(err);
      try {
        resolve(JSON.parse(line!) as { data: number; message?: string });
      } catch {
        reject(new Error(`conmon sent an unreadable sync message: ${line}`));
      }
    };
    pipe.on('data', onData);
    pipe.on('end', onEnd);
    pipe.on('close', onEnd);
  });
}

/** Turns runc's stderr (logrus `time=... level=error msg="..."` or JSON lines) into one readable sentence. */
export function runtimeErrorMessage(raw: string): string {
  const lines = raw.split('\n').map((l) => l.trim()).filter(Boolean);
  const msgs = lines.map((l) => {
    const logrus = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(l);
    if (logrus) return logrus[1]!.replace(/\\(.)/g, '$1');
    try {
      return (JSON.parse(l) as { msg?: string }).msg ?? l;
    } catch {
      return l;
    }
  });
  const text = msgs[msgs.length - 1] ?? raw.trim();
  return text.replace(/^(runc|crun)( create)?( failed)?:\s*/, '').replace(/^unable to start container process:\s*/, '');
}

/**
 * Spawns conmon detached and completes the handshake: start byte on _OCI_STARTPIPE, then one JSON result on
 * _OCI_SYNCPIPE with the container pid (or the runtime's error). Listens for the first conmon's 'exit', never
 * 'close': the daemonized grandchild keeps the pipes open.
 */
export async function launchConmon(l: ConmonLaunch): Promise<ConmonResult> {
  fs.mkdirSync(l.workDir, { recursive: true });
  fs.mkdirSync(l.exitDir, { recursive: true });
  fs.mkdirSync(l.persistDir, { recursive: true });
  const child = spawn(l.conmon, conmonArgs(l), {
    detached: true,
    cwd: l.workDir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', ...(l.execAttach ? (['pipe'] as const) : [])],
    env: cleanEnv({ _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', ...(l.execAttach ? { _OCI_ATTACHPIPE: '5' } : {}) }),
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new EngineError('unavailable', `conmon: ${err.message}`))));
  const firstExit = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const sync = child.stdio[3] as Readable;
  const start = child.stdio[4] as Writable;
  const attachPipe = l.execAttach ? ((child.stdio as unknown as Readable[])[5] ?? null) : null;
  try {
    const message = readSyncMessage(sync, l.timeoutMs ?? 30_000);
    start.write(Buffer.from([0]));
    if (attachPipe && l.execAttach) {
      // conmon reports the attach socket ready, then its runtime child waits for a second start byte.
      const ready = readSyncMessage(attachPipe, l.timeoutMs ?? 30_000);
      const early = await Promise.race([ready.then(() => null), message]);
      if (early) throw new EngineError('invalid', runtimeErrorMessage(early.message ?? 'conmon failed before the exec started'));
      await l.execAttach(l.bundle);
      start.write(Buffer.from([0]));
    }
    const result = await Promise.race([message, spawnError, firstExit.then(async (code) => {
      // The first conmon exits right after forking; a non-zero code means it failed before that.
      if (code !== 0) throw new Error(`conmon exited with ${code}: ${stderr.trim()}`);
      return message;
    })]);
    if (result.data < 0) {
      throw new EngineError('invalid', runtimeErrorMessage(result.message ?? 'the runtime failed without a message'));
    }
    await firstExit;
    const conmonPid = Number(fs.readFileSync(path.join(l.workDir, 'conmon.pid'), 'utf8').trim());
    return { pid: result.data, conmonPid, conmonStartTime: processStartTime(conmonPid) };
  } finally {
    sync.destroy();
    start.destroy();
    attachPipe?.destroy();
    child.stdout!.destroy();
    child.stderr!.destroy();
    child.unref();
  }
}

/** conmon's control FIFO: `1 H W` resizes the pty, `2 0 0` reopens the log. */
export function writeControl(bundle: string, message: string) {
  const fd = fs.openSync(path.join(bundle, 'ctl'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try {
    fs.writeSync(fd, message);
  } finally {
    fs.closeSync(fd);
  }
}

export function resizePty(bundle: string, height: number, width: number) {
  writeControl(bundle, `1 ${height} ${width}\n`);
}

/** The exit code conmon recorded, or null while the process runs. */
export function readExitFile(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (!text) return null;
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
