// Gathers many small writes (log lines) into few large ones: one write per burst of lines instead of one
// syscall per line. Order is kept across stdout and stderr: switching streams flushes what came first.
/** What the CLI writes to (process.stdout, or a test's stream). */
type Writable = NodeJS.WritableStream;

const FLUSH_BYTES = 64 * 1024;

export class BatchedOutput {
  private target: Writable | null = null;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;

  /** Queues bytes for `out`; resolves at once unless a flush met backpressure. */
  async write(out: Writable, data: Buffer): Promise<void> {
    if (this.target && this.target !== out) await this.flush();
    this.target = out;
    this.chunks.push(data);
    this.bytes += data.length;
    if (this.bytes >= FLUSH_BYTES) return this.flush();
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
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    if (!out.write(data)) await new Promise((r) => out.once('drain', r));
  }
}
