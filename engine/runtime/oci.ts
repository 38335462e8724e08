// The OCI runtime CLI (runc by default, crun where cgroups are pure v2): discovery and the commands the engine
// runs itself. Every call passes an explicit `--root` (design §6).
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../api/errors';
import { findBinary } from '../system/tools';
import { execFile } from './exec-file';
import { startThroughExecFifo } from './exec-fifo';
import { cgroupLayout } from './host';
import { canSignalAll } from '../rootless/spec';

export type OciStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface OciState {
  status: OciStatus;
  pid: number;
}

export class OciRuntime {
  constructor(
    readonly name: string,
    readonly path: string,
    readonly stateRoot: string,
  ) {}

  /** Global flags, also handed to conmon as `--runtime-arg`s. */
  globalArgs(): string[] {
    return ['--root', this.stateRoot];
  }

  private async run(args: string[], what: string) {
    const r = await execFile(this.path, [...this.globalArgs(), ...args], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`${this.name} ${what}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    return r;
  }

  /** `initPid`: what `create` reported; with it, runc's exec FIFO is opened here instead of running `runc start`. */
  async start(id: string, initPid?: number) {
    if (this.name === 'runc' && initPid && (await startThroughExecFifo(this.stateRoot, id, initPid))) return;
    await this.run(['start', id], 'start');
  }

  async kill(id: string, signal: number | string, all = false) {
    await this.run(['kill', ...(all && canSignalAll() ? ['--all'] : []), id, String(signal)], 'kill');
  }

  async pause(id: string) {
    await this.run(['pause', id], 'pause');
  }

  async resume(id: string) {
    await this.run(['resume', id], 'resume');
  }

  /**
   * Whether the runtime may hold state for `id`: runc and crun keep it in `<root>/<id>/`. No dir means nothing to
   * ask about, which saves a runtime process on every start and removal.
   */
  private mayKnow(id: string): boolean {
    return fs.existsSync(path.join(this.stateRoot, id));
  }

  /** Removes the runtime's state; a missing container is fine. */
  async delete(id: string) {
    if (!this.mayKnow(id)) return;
    const r = await execFile(this.path, [...this.globalArgs(), 'delete', '--force', id], { timeoutMs: 30_000 });
    if (r.code !== 0 && !/does not exist|not found|no such/i.test(r.stderr)) {
      throw new Error(`${this.name} delete: ${r.stderr.trim()}`);
    }
  }

  /** The runtime's view, or null when it does not know the container. */
  async state(id: string): Promise<OciState | null> {
    if (!this.mayKnow(id)) return null;
    const r = await execFile(this.path, [...this.globalArgs(), 'state', id], { timeoutMs: 30_000 });
    if (r.code !== 0) return null;
    const parsed = JSON.parse(r.stdout) as { status: OciStatus; pid?: number };
    return { status: parsed.status, pid: parsed.pid ?? 0 };
  }
}

/** `FD_RUNTIME` names the runtime explicitly; otherwise runc, or crun on a pure cgroup v2 host without runc. */
export function discoverRuntime(stateRoot: string, env: NodeJS.ProcessEnv = process.env): OciRuntime {
  const wanted = env.FD_RUNTIME;
  if (wanted) {
    const p = wanted.includes('/') ? (executable(wanted) ? wanted : null) : findBinary(wanted, env);
    if (!p) throw unavailable(`OCI runtime "${wanted}" (FD_RUNTIME) not found: install it or unset FD_RUNTIME`);
    return new OciRuntime(wanted.split('/').pop()!, p, stateRoot);
  }
  const runc = findBinary('runc', env);
  if (runc) return new OciRuntime('runc', runc, stateRoot);
  const crun = cgroupLayout() === 'v2' ? findBinary('crun', env) : null;
  if (crun) return new OciRuntime('crun', crun, stateRoot);
  throw unavailable('no OCI runtime found: install the Debian package "runc"');
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findConmon(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.FD_CONMON ? (executable(env.FD_CONMON) ? env.FD_CONMON : null) : findBinary('conmon', env);
  if (!p) throw unavailable('conmon not found: install the Debian package "conmon"');
  return p;
}
