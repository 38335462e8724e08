// The consumer side of the contract, usable in Node (CLI, Electron main) and in the browser (renderer).
import type { CallName, Input, Item, Output, StreamName } from './contract';
import { EngineError, fromErrorShape } from './errors';
import type { ClientMessage, Port, ServerMessage } from './protocol';
import { DEFAULT_STREAM_WINDOW } from './schema-free';

export interface StreamOptions {
  /** Items the producer may run ahead by; memory on both sides is bounded by it. */
  window?: number;
  signal?: AbortSignal;
}

/** An async iterable of items; breaking out of the loop or calling cancel() stops the producer. */
export interface EngineStream<T> extends AsyncIterable<T> {
  cancel(): void;
  /** Items received and not yet consumed: never more than the window. */
  readonly buffered: number;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

class StreamState<T> implements EngineStream<T> {
  private readonly queue: T[] = [];
  private done = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private consumedSinceGrant = 0;

  constructor(
    private readonly id: number,
    private readonly window: number,
    private readonly client: EngineClient,
  ) {}

  get buffered() {
    return this.queue.length;
  }

  push(item: T) {
    this.queue.push(item);
    this.notify();
  }

  finish(error: Error | null) {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.notify();
  }

  cancel() {
    if (this.done) return;
    this.client.cancelStream(this.id);
    this.finish(null);
    this.queue.length = 0;
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      while (true) {
        if (this.queue.length > 0) {
          const item = this.queue.shift() as T;
          this.consumedSinceGrant++;
          // Re-grant in batches of half a window so credit messages stay few.
          if (!this.done && this.consumedSinceGrant >= Math.max(1, this.window >> 1)) {
            this.client.grant(this.id, this.consumedSinceGrant);
            this.consumedSinceGrant = 0;
          }
          yield item;
          continue;
        }
        if (this.done) {
          if (this.error) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.cancel();
    }
  }
}

export class EngineClient {
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  private readonly streams = new Map<number, StreamState<unknown>>();
  private closedWith: Error | null = null;

  constructor(private readonly port: Port<ClientMessage, ServerMessage>) {
    port.onMessage((message) => this.receive(message));
    // Always a typed error: a socket error (ECONNRESET when the engine dies mid-write) is still "the engine went away".
    port.onClose((reason) =>
      this.teardown(
        reason instanceof EngineError ? reason : new EngineError('unavailable', `connection to the engine closed${reason ? `: ${reason.message}` : ''}`),
      ),
    );
  }

  call<K extends CallName>(method: K, input: Input<K>): Promise<Output<K>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<Output<K>>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.send({ t: 'call', id, method, input });
    });
  }

  stream<K extends StreamName>(method: K, input: Input<K>, options: StreamOptions = {}): EngineStream<Item<K>> {
    const window = options.window ?? DEFAULT_STREAM_WINDOW;
    const id = this.nextId++;
    const state = new StreamState<Item<K>>(id, window, this);
    if (this.closedWith) {
      state.finish(this.closedWith);
      return state;
    }
    if (options.signal?.aborted) {
      // Cancelled before it began: the engine never hears of it (no stream left open there).
      state.cancel();
      return state;
    }
    this.streams.set(id, state as StreamState<unknown>);
    options.signal?.addEventListener('abort', () => state.cancel(), { once: true });
    this.port.send({ t: 'open', id, method, input, credit: window });
    return state;
  }

  /** @internal */
  grant(id: number, n: number) {
    if (this.streams.has(id) && !this.closedWith) this.port.send({ t: 'credit', id, n });
  }

  /** @internal */
  cancelStream(id: number) {
    if (this.streams.delete(id) && !this.closedWith) this.port.send({ t: 'cancel', id });
  }

  close() {
    this.port.close();
    this.teardown(new EngineError('cancelled', 'client closed'));
  }

  private receive(message: ServerMessage) {
    switch (message.t) {
      case 'result': {
        const pending = this.calls.get(message.id);
        this.calls.delete(message.id);
        pending?.resolve(message.output);
        return;
      }
      case 'item':
        this.streams.get(message.id)?.push(message.item);
        return;
      case 'end': {
        const state = this.streams.get(message.id);
        this.streams.delete(message.id);
        state?.finish(null);
        return;
      }
      case 'error': {
        const error = fromErrorShape(message.error);
        if (message.id === null) return; // a reply to a frame we never sent on purpose; nothing to settle
        const pending = this.calls.get(message.id);
        if (pending) {
          this.calls.delete(message.id);
          pending.reject(error);
          return;
        }
        const state = this.streams.get(message.id);
        this.streams.delete(message.id);
        state?.finish(error);
      }
    }
  }

  private teardown(reason: Error) {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const pending of this.calls.values()) pending.reject(reason);
    this.calls.clear();
    for (const state of this.streams.values()) state.finish(reason);
    this.streams.clear();
  }
}
