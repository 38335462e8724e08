// Talks to conmon's attach socket through the fd-attach helper (engine/runtime/native/fd-attach.c): Node has
// no SOCK_SEQPACKET. The helper is built into dist/native by scripts/build.mjs; when it is missing (tests run
// from source) it is compiled once into the engine's tmp dir.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { unavailable } from '../api/errors';

const SOURCE_NAME = 'fd-attach.c';
// ESM (CLI bundle, tests) has import.meta.dirname; the Electron main bundle is CommonJS and has __dirname.
const here: string = typeof __dirname === 'string' ? __dirname : (import.meta.dirname ?? process.cwd());

function candidates(): string[] {
  const out: string[] = [];
  if (process.env.FD_ATTACH_HELPER) out.push(process.env.FD_ATTACH_HELPER);
  // dist/cli.js → dist/native/fd-attach; engine/runtime/attach.ts → <repo>/dist/native/fd-attach
  let dir = here;
  for (let i = 0; i < 4 && dir; i++) {
    out.push(path.join(dir, 'native', 'fd-attach'), path.join(dir, 'dist', 'native', 'fd-attach'));
    dir = path.dirname(dir);
  }
  return out;
}

function findSource(): string | null {
  let dir = here;
  for (let i = 0; i < 4 && dir; i++) {
    for (const p of [path.join(dir, 'native', SOURCE_NAME), path.join(dir, 'engine', 'runtime', 'native', SOURCE_NAME)]) {
      if (fs.existsSync(p)) return p;
    }
    dir = path.dirname(dir);
  }
  return null;
}

let cached: string | null = null;

export function attachHelper(tmpDir: string): string {
  if (cached && fs.existsSync(cached)) return cached;
  const source = findSource();
  // A built helper older than its source (a stale dist/) is skipped in favour of a fresh compile.
  const sourceTime = source ? fs.statSync(source).mtimeMs : 0;
  const found = candidates().find((p) => fs.existsSync(p) && fs.statSync(p).mtimeMs >= sourceTime);
  if (found) return (cached = found);
  if (!source) throw unavailable('the fd-attach helper is missing: run "node scripts/build.mjs"');
  const out = path.join(tmpDir, 'fd-attach');
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= sourceTime) return (cached = out);
  const r = spawnSync('cc', ['-O2', '-o', `${out}.tmp`, source], { encoding: 'utf8' });
  if (r.status !== 0) throw unavailable(`building the fd-attach helper failed (is a C compiler installed?): ${r.stderr || r.error?.message}`);
  fs.renameSync(`${out}.tmp`, out);
  return (cached = out);
}

export interface AttachFrame {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** A live connection to one attach socket: write stdin, read framed output, close. */
export class AttachSession {
  readonly child: ChildProcess;
  private carry: Buffer = Buffer.alloc(0);
  private readonly queue: AttachFrame[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private stderr = '';
  readonly done: Promise<number>;
  /** Resolves once the helper is connected (true) or failed to connect (false). */
  readonly ready: Promise<boolean>;
  private markReady: (ok: boolean) => void = () => undefined;

  /** `output: false` discards what the socket sends (the caller reads the log instead). */
  constructor(helper: string, bundleDir: string, options: { output?: boolean } = {}) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.child = spawn(helper, [bundleDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => undefined);
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    if (options.output === false) this.child.stdout!.once('data', () => this.markReady(true)).resume();
    else this.child.stdout!.on('data', (d: Buffer) => this.receive(d));
    this.done = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.ended = true;
        this.markReady(false);
        this.notify();
        resolve(code ?? 1);
      }),
    );
  }

  get error(): string {
    return this.stderr.trim();
  }

  private receive(d: Buffer) {
    this.carry = this.carry.length ? Buffer.concat([this.carry, d]) : d;
    while (this.carry.length >= 5) {
      const len = this.carry.readUInt32BE(1);
      if (this.carry.length < 5 + len) break;
      const id = this.carry[0];
      if (id === 0) this.markReady(true);
      else this.queue.push({ stream: id === 3 ? 'stderr' : 'stdout', data: Buffer.from(this.carry.subarray(5, 5 + len)) });
      this.carry = this.carry.subarray(5 + len);
    }
    // Backpressure: stop reading the helper while the consumer lags.
    if (this.queue.length > 64) this.child.stdout!.pause();
    this.notify();
  }

  private notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  write(data: Buffer) {
    if (!this.child.stdin!.destroyed) this.child.stdin!.write(data);
  }

  closeStdin() {
    this.child.stdin!.end();
  }

  close() {
    if (!this.ended) this.child.kill('SIGTERM');
  }

  async *frames(signal?: AbortSignal): AsyncGenerator<AttachFrame> {
    const onAbort = () => this.notify();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) return;
        const next = this.queue.shift();
        if (next) {
          if (this.queue.length < 16) this.child.stdout!.resume();
          yield next;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
