// Worker thread entry (bundled as dist/unpack-worker.js): unpacks one layer at a time for unpack-pool.ts. The
// bytes arrive as messages; each consumed chunk is acknowledged so the sender keeps only a window in flight.
import { parentPort } from 'node:worker_threads';
import { EngineError } from '../api/errors';
import type { FromWorker, ToWorker } from './unpack-protocol';
import { serializeError } from './unpack-protocol';
import { writeLayer } from './unpack-writer';

const port = parentPort!;

/** The current job's bytes, as an async iterable over what the messages delivered. */
class Chunks implements AsyncIterable<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private aborted = false;
  private wake: (() => void) | null = null;

  push(b: Buffer) {
    this.queue.push(b);
    this.notify();
  }

  end() {
    this.ended = true;
    this.notify();
  }

  abort() {
    this.aborted = true;
    this.notify();
  }

  private notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.aborted) throw new EngineError('cancelled', 'unpack cancelled: the layer source failed');
      const b = this.queue.shift();
      if (b) {
        send({ type: 'ack', bytes: b.length });
        yield b;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

const send = (m: FromWorker) => port.postMessage(m);
let current: Chunks | null = null;

send({ type: 'ready' });
port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const chunks = (current = new Chunks());
      writeLayer(chunks, m.root, m.options).then(
        (result) => send({ type: 'done', result }),
        (err: unknown) => send({ type: 'failed', error: serializeError(err) }),
      );
      break;
    }
    case 'chunk':
      current?.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      break;
    case 'end':
      current?.end();
      break;
    case 'abort':
      current?.abort();
      break;
  }
});
