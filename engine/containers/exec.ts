// Exec through conmon (as podman does): `conmon --exec --exec-process-spec` runs `runc exec` for us, so an
// exec gets a pty, stdin, a k8s-file log and an exit file exactly like the container itself. Output is read
// from the exec's log (nothing is missed before an attach connects); stdin goes through the attach socket.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { EngineError, notFound } from '../api/errors';
import type { ExecCreateInput, OutputChunk } from '../api/containers';
import type { EngineContext } from '../context';
import { AttachSession, attachHelper } from '../runtime/attach';
import { launchConmon, readExitFile, resizePty } from '../runtime/conmon';
import { findConmon } from '../runtime/oci';
import { processSpec } from '../runtime/spec';
import { resolveUser } from '../runtime/users';
import { defaultRlimits } from '../runtime/host';
import { containerLayout } from './layout';
import type { ContainerManager } from './manager';

interface ExecSession {
  id: string;
  containerId: string;
  input: z.output<typeof ExecCreateInput>;
  dir: string;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  stdin: AttachSession | null;
  /** stdin written before the attach session exists. */
  pending: Buffer[];
  pendingEof: boolean;
  /** A size sent before the process started becomes its initial console size. */
  size: { height: number; width: number } | null;
  /** Called once the process runs (detached starts return then). */
  onLaunch?: () => void;
}

const FINISHED_KEEP_MS = 5 * 60_000;

/**
 * Reads an exec's exit file every `intervalMs` until it holds the code. Once `giveUp()` says so it reads it
 * one last time (the process may have ended as we gave up) and returns null if it is still empty.
 */
async function pollExitFile(exitFile: string, intervalMs: number, giveUp: () => boolean): Promise<number | null> {
  for (;;) {
    const code = readExitFile(exitFile);
    if (code !== null) return code;
    if (giveUp()) return readExitFile(exitFile);
    await new Promise((r) => setTimeout(r, intervalMs).unref());
  }
}

export class ExecManager {
  private readonly sessions = new Map<string, ExecSession>();
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly manager: ContainerManager,
  ) {}

  create(input: z.output<typeof ExecCreateInput>): string {
    const rec = this.manager.find(input.id);
    if (rec.state.status !== 'running') throw new EngineError('conflict', `container ${rec.name} is not running: start it before exec`);
    const id = crypto.randomBytes(32).toString('hex');
    // Short dir names: the attach socket path must stay under 108 bytes for the helper's connect.
    const dir = path.join(containerLayout(this.ctx.paths, rec.id).dir, 'exec', id.slice(0, 12));
    this.sessions.set(id, { id, containerId: rec.id, input, dir, running: false, started: false, exitCode: null, pid: 0, stdin: null, pending: [], pendingEof: false, size: null });
    this.manager.emit(rec, 'exec_create', { execID: id });
    return id;
  }

  private get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw notFound(`No such exec instance: ${id}`);
    return s;
  }

  start(id: string, signal: AbortSignal): AsyncIterable<OutputChunk> {
    const s = this.get(id);
    if (s.started) throw new EngineError('conflict', `exec ${id.slice(0, 12)} has already been started`);
    s.started = true;
    return this.run(s, signal);
  }

  /** `exec -d`: returns once the process runs; its exit is still recorded (exec_die) in the background. */
  async startDetached(id: string): Promise<void> {
    const s = this.get(id);
    if (s.started) throw new EngineError('conflict', `exec ${id.slice(0, 12)} has already been started`);
    s.started = true;
    const detach = new AbortController();
    s.onLaunch = () => detach.abort();
    for await (const _ of this.run(s, detach.signal)) void _;
  }

  private async *run(s: ExecSession, signal: AbortSignal): AsyncGenerator<OutputChunk> {
    const rec = this.manager.repo.get(s.containerId);
    if (!rec || rec.state.status !== 'running') throw new EngineError('conflict', `container ${s.containerId.slice(0, 12)} is not running`);
    const layout = containerLayout(this.ctx.paths, rec.id);
    const rootfs = rec.config.rootfs ?? path.join(layout.dir, 'rootfs');
    const spec = processSpec({
      args: s.input.cmd,
      env: [...rec.resolved.env, ...s.input.env, ...(s.input.tty ? ['TERM=xterm'] : [])],
      cwd: s.input.workingDir || rec.resolved.workingDir || '/',
      user: resolveUser(rootfs, s.input.user ?? rec.resolved.user),
      tty: s.input.tty,
      rlimits: defaultRlimits(),
    });
    if (s.input.tty && s.size) spec.consoleSize = s.size;
    fs.mkdirSync(s.dir, { recursive: true });
    const specFile = path.join(s.dir, 'process.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    const exitDir = path.join(s.dir, 'exits');
    const helper = attachHelper(this.ctx.paths.tmp);
    let session: AttachSession | null = null;
    const launched = await launchConmon({
      conmon: findConmon(),
      runtime: this.manager.runtime,
      id: rec.id,
      sessionId: s.id,
      name: rec.name,
      bundle: s.dir,
      workDir: s.dir,
      exitDir,
      persistDir: path.join(s.dir, 'persist'),
      logPath: path.join(s.dir, 'exec.log'),
      tty: s.input.tty,
      stdin: s.input.attachStdin,
      execProcessSpec: specFile,
      execAttach: async (dir) => {
        session = new AttachSession(helper, dir);
        if (!(await session.ready)) throw new EngineError('internal', `cannot attach to the exec session: ${session.error}`);
        s.stdin = session;
        for (const b of s.pending) session.write(b);
        if (s.pendingEof || !s.input.attachStdin) session.closeStdin();
        s.pending = [];
      },
    }).catch((err: unknown) => {
      (session as AttachSession | null)?.close();
      fs.rmSync(s.dir, { recursive: true, force: true });
      throw err;
    });
    s.pid = launched.pid;
    s.running = true;
    this.manager.emit(rec, 'exec_start', { execID: s.id });
    s.onLaunch?.();
    // conmon names the exit file after -c (the container id), so each exec has its own exit dir.
    const exitFile = path.join(exitDir, rec.id);
    const attached = session as unknown as AttachSession;
    try {
      for await (const f of attached.frames(signal)) yield { stream: f.stream, data: f.data.toString('base64') };
      if (signal.aborted) {
        // The caller left (or detached): the process runs on, and its exit is still recorded.
        void this.reapLater(rec.id, s, exitFile);
        return;
      }
      // conmon closes the socket as the process ends; the exit file follows right after.
      const deadline = Date.now() + 5000;
      this.recordExit(rec.id, s, (await pollExitFile(exitFile, 25, () => Date.now() >= deadline)) ?? -1);
      yield { stream: 'exit', data: '', exitCode: s.exitCode! };
    } finally {
      attached.close();
      s.stdin = null;
      if (!s.running) this.finish(s);
    }
  }

  private recordExit(containerId: string, s: ExecSession, code: number) {
    s.exitCode = code;
    s.running = false;
    const rec = this.manager.repo.get(containerId);
    if (rec) this.manager.emit(rec, 'exec_die', { execID: s.id, exitCode: String(code) });
  }

  /** Waits for a process nobody is attached to: its exit file, or its container stopping under it. */
  private async reapLater(containerId: string, s: ExecSession, exitFile: string) {
    const code = await pollExitFile(exitFile, 100, () => this.closed || this.manager.repo.get(containerId)?.state.status !== 'running');
    if (this.closed) return;
    this.recordExit(containerId, s, code ?? -1);
    this.finish(s);
  }

  private finish(s: ExecSession) {
    fs.rmSync(s.dir, { recursive: true, force: true });
    setTimeout(() => this.sessions.delete(s.id), FINISHED_KEEP_MS).unref();
  }

  write(id: string, data: string, eof: boolean) {
    const s = this.get(id);
    if (!s.input.attachStdin) throw new EngineError('invalid', `exec ${id.slice(0, 12)} was created without stdin`);
    const bytes = data ? Buffer.from(data, 'base64') : null;
    if (!s.stdin) {
      if (bytes) s.pending.push(bytes);
      if (eof) s.pendingEof = true;
      return;
    }
    if (bytes) s.stdin.write(bytes);
    if (eof) s.stdin.closeStdin();
  }

  resize(id: string, height: number, width: number) {
    const s = this.get(id);
    if (!s.input.tty) throw new EngineError('invalid', `exec ${id.slice(0, 12)} has no tty`);
    if (s.running) resizePty(s.dir, height, width);
    else s.size = { height, width };
  }

  inspect(id: string) {
    const s = this.get(id);
    return { id: s.id, containerId: s.containerId, running: s.running, exitCode: s.exitCode, pid: s.pid, cmd: s.input.cmd, tty: s.input.tty };
  }

  shutdown() {
    this.closed = true;
    for (const s of this.sessions.values()) s.stdin?.close();
  }
}
