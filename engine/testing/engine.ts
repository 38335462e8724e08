// Test fixtures for a real engine: an in-process host on a temp root, or `bin/fd engine` as a child process
// (for SIGKILL and restart tests). Both are torn down by the returned `close`/`kill`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startEngineHost, type EngineHost, type HostOptions } from '../host';
import { connectUnix } from '../transport/unix';
import type { EngineClient } from '../api/client';
import type { Logger } from '../context';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const fdBin = path.join(repoRoot, 'bin', 'fd');

export function tempRoot(prefix = 'fd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const quietLogger: Logger & { lines: string[] } = {
  lines: [],
  info(m) {
    this.lines.push(m);
  },
  warn(m) {
    this.lines.push(`warn: ${m}`);
  },
  error(m) {
    this.lines.push(`error: ${m}`);
  },
};

export interface TestEngine {
  root: string;
  host: EngineHost;
  client: EngineClient;
  close(): Promise<void>;
}

export async function startTestEngine(options: Partial<HostOptions> = {}): Promise<TestEngine> {
  const root = options.root ?? tempRoot();
  const host = await startEngineHost({ log: quietLogger, ...options, root });
  const client = await connectUnix(host.paths.engineSocket);
  return {
    root,
    host,
    client,
    async close() {
      client.close();
      await host.close();
    },
  };
}

export interface EngineProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or 128+signal). */
  exited: Promise<number>;
}

/** Runs `bin/fd --root ROOT engine ...` and resolves once it printed "engine ready". */
export async function spawnEngine(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<EngineProcess> {
  const child = spawn(process.execPath, [fdBin, '--root', root, 'engine', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0))),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not get ready in 20s:\n${out}`)), 20_000);
    const check = () => {
      if (out.includes('engine ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, output: () => out, exited };
}

/**
 * A `bin/fd engine` child on one root that a test SIGKILLs and starts again (reconcile, fault injection).
 * `client` is the connection to the running engine, null while it is down.
 */
export class RestartableEngine {
  process: EngineProcess | null = null;
  client: EngineClient | null = null;

  constructor(readonly root: string) {}

  async start(): Promise<EngineClient> {
    this.process = await spawnEngine(this.root);
    this.client = await connectUnix(path.join(this.root, 'engine.sock'));
    return this.client;
  }

  async kill(): Promise<void> {
    this.client?.close();
    this.client = null;
    this.process!.child.kill('SIGKILL');
    await this.process!.exited;
    this.process = null;
  }

  /** Teardown: starts the engine if it is down (so it reconciles), force-removes every container, stops it. */
  async removeAllAndStop(): Promise<void> {
    try {
      const c = this.client ?? (await this.start());
      for (const x of await c.call('containers.list', { all: true })) await c.call('containers.remove', { id: x.id, force: true });
      c.close();
      this.client = null;
      this.process!.child.kill('SIGTERM');
      await this.process!.exited;
    } finally {
      this.process?.child.kill('SIGKILL');
      this.process = null;
    }
  }
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed (unless keepStdinOpen); undefined leaves stdin open. */
  input?: string;
  /** A pty wrapper (`script`) ends its session on EOF: write the input but never close stdin. */
  keepStdinOpen?: boolean;
  timeoutMs?: number;
}

/** Runs a program to completion without blocking the event loop; resolves with its exit code (128+signal) and output. */
export function runProcess(bin: string, args: string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(bin, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr });
    });
    if (options.input !== undefined && options.keepStdinOpen) child.stdin.write(options.input);
    else if (options.input !== undefined) child.stdin.end(options.input);
  });
}

/** Runs `bin/fd` to completion and returns its exit code and output. */
export function runFd(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) {
  return runProcess(process.execPath, [fdBin, ...args], { env: { ...process.env, ...options.env }, input: options.input ?? '', timeoutMs: options.timeoutMs });
}
