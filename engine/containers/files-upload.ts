// Uploads for containers.archivePut: the contract has no client-to-engine stream, so a tar arrives as a series
// of calls carrying base64 chunks under one upload id. Each call returns only once the extractor has taken
// its chunk, so the engine holds at most one chunk per upload; an upload left idle is abandoned.
import { EngineError } from '../api/errors';

/** One producer, one consumer, one item in flight: push() resolves when the consumer takes the item. */
export class ChunkChannel implements AsyncIterable<Buffer> {
  private item: { chunk: Buffer; taken: () => void } | null = null;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly takers = new Set<(err?: Error) => void>();

  push(chunk: Buffer): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.ended || this.item) return Promise.reject(new EngineError('invalid', 'upload chunks must be sent one at a time, before eof'));
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        this.takers.delete(settle);
        if (err) reject(err);
        else resolve();
      };
      this.takers.add(settle);
      this.item = { chunk, taken: () => settle() };
      this.notify();
    });
  }

  end() {
    this.ended = true;
    this.notify();
  }

  /** Ends the consumer's iteration with `err` and rejects a chunk still waiting. */
  fail(err: Error) {
    if (this.error) return;
    this.error = err;
    this.item = null;
    for (const settle of [...this.takers]) settle(err);
    this.notify();
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.item) {
        const { chunk, taken } = this.item;
        this.item = null;
        taken();
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export interface UploadKey {
  id: string;
  path: string;
}

interface Session {
  key: UploadKey;
  channel: ChunkChannel;
  done: Promise<number>;
  timer: NodeJS.Timeout;
}

/** Open uploads by id; `begin` starts the extraction that consumes the channel. */
export class Uploads {
  private readonly sessions = new Map<string, Session>();

  // Short: an upload into a running container keeps it frozen until it ends.
  constructor(private readonly idleMs = 30_000) {}

  /** Feeds one call's chunk (and eof) into the upload, starting it on first sight of the id. */
  async feed(uploadId: string, key: UploadKey, data: Buffer, eof: boolean, begin: (source: AsyncIterable<Buffer>) => Promise<number>): Promise<{ done: boolean; entries: number }> {
    let s = this.sessions.get(uploadId);
    if (!s) {
      const channel = new ChunkChannel();
      const session: Session = {
        key,
        channel,
        done: begin(channel),
        timer: setTimeout(() => this.abandon(uploadId), this.idleMs),
      };
      session.timer.unref();
      // A failure between calls waits in the session for the next call (or the idle timer) to collect it.
      session.done.catch(() => undefined);
      this.sessions.set(uploadId, session);
      s = session;
    } else if (s.key.id !== key.id || s.key.path !== key.path) {
      throw new EngineError('invalid', `upload ${uploadId} belongs to ${s.key.id}:${s.key.path}, not ${key.id}:${key.path}`);
    }
    s.timer.refresh();
    try {
      if (data.length) await Promise.race([s.channel.push(data), s.done]);
      if (!eof) return { done: false, entries: 0 };
      s.channel.end();
      const entries = await s.done;
      this.drop(uploadId);
      return { done: true, entries };
    } catch (err) {
      s.channel.fail(err as Error);
      this.drop(uploadId);
      throw err;
    }
  }

  private drop(uploadId: string) {
    const s = this.sessions.get(uploadId);
    if (!s) return;
    clearTimeout(s.timer);
    this.sessions.delete(uploadId);
  }

  private abandon(uploadId: string) {
    this.sessions.get(uploadId)?.channel.fail(new EngineError('cancelled', `upload ${uploadId} was abandoned (no data for a while)`));
    this.drop(uploadId);
  }

  /** Engine stop: every open upload ends with an error and releases what it holds. */
  closeAll() {
    for (const id of [...this.sessions.keys()]) {
      this.sessions.get(id)?.channel.fail(new EngineError('cancelled', 'the engine is stopping'));
      this.drop(id);
    }
  }
}
