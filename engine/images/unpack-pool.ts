// Worker threads that unpack layers (unpack-worker.ts): with cores to spare, a pull's layers are gunzipped,
// hashed, parsed and written side by side instead of taking turns on the engine's one JavaScript thread, which
// then only streams each layer's bytes over, a bounded window at a time. Workers start on first use and end
// after a few idle seconds. Where no worker script can be found, the caller unpacks in this thread.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { deserializeError, type FromWorker, type ToWorker } from './unpack-protocol';
import type { UnpackOptions, UnpackResult } from './unpack-writer';

/**
 * Layers go to workers only where cores are left over: on 2 cores the engine thread and the thread pool's
 * gunzip already fill both, and workers only add their start-up (~70 ms of CPU each), their own JIT warm-up and
 * a copy of every byte (bench pull on 2 cores, side by side, load 2-2.5: in this thread 1.03-1.70 s, 1 worker
 * 1.19-2.35 s, 2 workers 1.68-2.05 s; one worker taking the layers it was free for while the engine thread
 * unpacked the rest: faster in 16 of 28 rounds, a wash). Not measured on more cores. FD_UNPACK_WORKERS=N sets the
 * number (0: none).
 */
export const UNPACK_WORKERS = Math.min(4, Math.max(0, process.env.FD_UNPACK_WORKERS ? Number(process.env.FD_UNPACK_WORKERS) || 0 : os.availableParallelism() - 2));
/** At least one, for callers that ask for a worker outright. */
const MAX_WORKERS = Math.max(1, UNPACK_WORKERS);
const IDLE_MS = 10_000;
/** Bytes sent but not yet taken by the worker: enough to keep it busy, little enough to bound memory. */
const WINDOW_BYTES = 8 << 20;
/** Network chunks are 16-64 KiB: sent in batches of this size, fewer messages. */
const BATCH_BYTES = 256 << 10;

const here: string = typeof __dirname === 'string' ? __dirname : import.meta.dirname;

let scriptPromise: Promise<string | null> | null = null;

/** The bundled worker (dist/unpack-worker.js, next to the chunk or one level up), or one built from source for tests. */
function workerScript(): Promise<string | null> {
  scriptPromise ??= (async () => {
    for (const candidate of [path.join(here, 'unpack-worker.js'), path.join(here, '..', 'unpack-worker.js')]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    const source = path.join(here, 'unpack-worker.ts');
    return fs.existsSync(source) ? buildFromSource(source).catch(() => null) : null;
  })();
  return scriptPromise;
}

/** Running from TypeScript sources (vitest): bundle the worker once into node_modules/.cache with esbuild. */
async function buildFromSource(entry: string): Promise<string> {
  const top = path.resolve(here, '..', '..');
  const esbuildName = 'esbuild'; // a dev dependency: kept out of the engine bundle
  const esbuild = (await import(esbuildName)) as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@napi-rs/xattr'],
    banner: { js: "import { createRequire as __fdCreateRequire } from 'node:module'; const require = __fdCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const dir = path.join(top, 'node_modules', '.cache', 'fd');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `unpack-worker-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!fs.existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, out);
    // Builds of earlier sources pile up: drop those no test process has written for an hour.
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (file === out || !/^unpack-worker-/.test(name)) continue;
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
    }
  }
  return out;
}

interface PooledWorker {
  worker: Worker;
  /** False when the worker failed before its code loaded (a bundle that cannot run here). */
  ready: Promise<boolean>;
  /** Where the current job's messages go. */
  onMessage: ((m: FromWorker) => void) | null;
  onCrash: ((err: Error) => void) | null;
  idleTimer: NodeJS.Timeout | null;
}

const idle: PooledWorker[] = [];
const waiting: ((w: PooledWorker) => void)[] = [];
let live = 0;

function spawn(script: string): PooledWorker {
  const worker = new Worker(script);
  let loaded: (ok: boolean) => void = () => {};
  const pw: PooledWorker = { worker, ready: new Promise((resolve) => (loaded = resolve)), onMessage: null, onCrash: null, idleTimer: null };
  live++;
  worker.on('message', (m: FromWorker) => (m.type === 'ready' ? loaded(true) : pw.onMessage?.(m)));
  const gone = (err: Error) => {
    loaded(false);
    const i = idle.indexOf(pw);
    if (i >= 0) idle.splice(i, 1);
    const crash = pw.onCrash;
    pw.onCrash = null;
    crash?.(err);
  };
  pw.worker.on('error', gone);
  pw.worker.once('exit', (code) => {
    live--;
    gone(new Error(`the unpack worker exited (code ${code})`));
    // Its place goes to whoever waits for one.
    const next = waiting.shift();
    if (next) next(spawn(script));
  });
  return pw;
}

/**
 * Starts up to `n` workers ahead of use (a worker takes ~50-100 ms of CPU to boot Node's internals): a pull calls
 * this with its manifest in hand, so the start-up overlaps fetching the image config.
 */
export function warmUnpackWorkers(n: number): void {
  if (UNPACK_WORKERS === 0) return;
  void workerScript().then((script) => {
    if (!script) return;
    while (live < Math.min(n, MAX_WORKERS)) release(spawn(script));
  });
}

async function acquire(script: string): Promise<PooledWorker> {
  const pw = idle.pop();
  if (pw) {
    if (pw.idleTimer) clearTimeout(pw.idleTimer);
    pw.idleTimer = null;
    pw.worker.ref();
    return pw;
  }
  if (live < MAX_WORKERS) return spawn(script);
  return new Promise((resolve) => waiting.push(resolve));
}

function release(pw: PooledWorker) {
  pw.onMessage = null;
  pw.onCrash = null;
  const next = waiting.shift();
  if (next) return next(pw);
  pw.worker.unref();
  pw.idleTimer = setTimeout(() => {
    const i = idle.indexOf(pw);
    if (i >= 0) idle.splice(i, 1);
    void pw.worker.terminate();
  }, IDLE_MS);
  pw.idleTimer.unref();
  idle.push(pw);
}

/**
 * Unpacks in a worker; null when there is none to run (the caller then unpacks in this thread). Settles only
 * once the worker stopped writing under `root`, also on failure: the caller removes `root` next.
 */
export async function unpackInWorker(source: AsyncIterable<Buffer>, root: string, options: UnpackOptions): Promise<UnpackResult | null> {
  const script = await workerScript();
  if (!script) return null;
  const pw = await acquire(script);
  if (!(await pw.ready)) {
    // It never ran: from now on unpack in this thread.
    scriptPromise = Promise.resolve(null);
    void pw.worker.terminate();
    return null;
  }
  let crashed = false;
  try {
    let credit = WINDOW_BYTES;
    let wakeSender: (() => void) | null = null;
    let settled = false;
    const outcome = new Promise<UnpackResult>((resolve, reject) => {
      pw.onMessage = (m) => {
        if (m.type === 'ack') {
          credit += m.bytes;
          const w = wakeSender;
          wakeSender = null;
          w?.();
        } else {
          settled = true;
          wakeSender?.();
          if (m.type === 'done') resolve(m.result);
          else if (m.type === 'failed') reject(deserializeError(m.error));
        }
      };
      pw.onCrash = (err) => {
        crashed = true;
        settled = true;
        wakeSender?.();
        reject(err);
      };
    });
    outcome.catch(() => {}); // awaited below, after the sending ends
    const post = (m: ToWorker, transfer?: ArrayBuffer[]) => pw.worker.postMessage(m, transfer);
    post({ type: 'start', root, options });

    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = () => {
      if (!batchBytes) return;
      const data = new Uint8Array(batchBytes);
      let at = 0;
      for (const b of batch) {
        data.set(b, at);
        at += b.length;
      }
      batch = [];
      batchBytes = 0;
      credit -= data.length;
      post({ type: 'chunk', data }, [data.buffer]);
    };
    let sourceError: unknown = null;
    try {
      for await (const chunk of source) {
        if (settled) break; // the worker failed: what it says is the error
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= BATCH_BYTES) flush();
        while (credit <= 0 && !settled) await new Promise<void>((r) => (wakeSender = r));
      }
      if (!settled) flush();
    } catch (err) {
      sourceError = err;
    }
    if (!settled) post({ type: sourceError ? 'abort' : 'end' });
    if (sourceError) {
      await outcome.catch(() => {});
      throw sourceError;
    }
    return await outcome;
  } finally {
    if (crashed) void pw.worker.terminate();
    else release(pw);
  }
}
