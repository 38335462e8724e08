// The one events subscription of the UI. It remembers the last sequence number it saw and, after every
// reconnect, resumes exactly after it (`afterSeq`): no gap, no duplicate, whatever happened meanwhile.
import type { EngineClient, EngineEvent } from '../../engine/api';
import type { EngineConnection } from './connection';

export type EventListener = (event: EngineEvent) => void;

export class EventFeed {
  private lastSeqValue: number | null = null;
  private readonly listeners = new Set<EventListener>();
  private readyValue = false;
  private readonly readyListeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly connection: EngineConnection) {}

  /** The last event delivered; null before the first connection. */
  get lastSeq() {
    return this.lastSeqValue;
  }

  /** True once the feed's starting point is fixed: history fetched after this overlaps the stream. */
  get ready() {
    return this.readyValue;
  }

  start() {
    this.unsubscribe = this.connection.onReady((client) => void this.follow(client));
  }

  stop() {
    this.unsubscribe?.();
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeReady = (listener: () => void) => {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  };

  private async follow(client: EngineClient) {
    try {
      if (this.lastSeqValue === null) {
        // First connection: start at the newest event; history queries run only after this point is fixed.
        const [newest] = await client.call('events.list', { limit: 1 });
        this.lastSeqValue = newest?.seq ?? 0;
      }
      const stream = client.stream('events.subscribe', { afterSeq: this.lastSeqValue }, { window: 256 });
      if (!this.readyValue) {
        this.readyValue = true;
        for (const l of this.readyListeners) l();
      }
      for await (const event of stream) {
        if (event.seq <= this.lastSeqValue!) continue;
        this.lastSeqValue = event.seq;
        for (const l of this.listeners) l(event);
      }
    } catch {
      // The connection went away; the next onReady resumes from lastSeq.
    }
  }
}
