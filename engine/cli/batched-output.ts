// Gathers many small writes (log lines) into few large ones: one write per burst of lines instead of one
// syscall per line. Order is kept across stdout and stderr: switching streams flushes what came first.
/** What the CLI writes to (process.stdout, or a test's stream). */
type Writable = NodeJS.WritableStream;

const FLUSH_BYTES = 64 * 1024;

export class BatchedOutput {
  private target: Writable | null = null;
  /** Text is kept as strings (UTF-8 encoded once per flush, not once per line); exact bytes as Buffers. */
  private chunks: (Buffer | string)[] = [];
  private allText = true;
  private size = 0;
  private scheduled = false;
  private draining: Promise<void> | null = null;

  /** Queues bytes (or text, written as UTF-8) for `out`; resolves at once unless a flush met backpressure. */
  async write(out: Writable, data: Buffer | string): Promise<void> {
    // A flush that met backpressure (even a scheduled one nobody awaited) holds the writer back until drain.
    if (this.draining) await this.draining;
    if (this.target && this.target !== out) await this.flush();
    this.target = out;
    this.chunks.push(data);
    if (typeof data !== 'string') this.allText = false;
    this.size += data.length;
    if (this.size >= FLUSH_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes what is queued; resolves once the stream can take more. */
  async flush(): Promise<void> {
    const out = this.target;
    if (!out || !this.chunks.length) return;
    const chunks = this.chunks;
    const data = this.allText ? Buffer.from(chunks.join(''), 'utf8') : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
    this.chunks = [];
    this.allText = true;
    this.size = 0;
    if (out.write(data)) return;
    // One drain listener per target however many flushes meet backpressure before it drains.
    this.draining ??= new Promise<void>((resolve) => out.once('drain', () => {
      this.draining = null;
      resolve();
    }));
    await this.draining;
  }
}
