// The one event log (design §5). Every subsystem appends here; `fd events`, the Docker API, the UI and cache
// invalidation all read from here. Subscribers follow a sequence cursor through SQLite instead of holding a
// queue in memory: replay and live are one loop, so there is no gap and no duplicate between them, and a
// subscriber that stops reading costs nothing but its cursor.
import type { Store } from '../store/db';
import type { EngineEvent, EventFilters, EventType, NewEvent } from '../api/events';
import { matchesEvent } from './filter';

export interface RetentionPolicy {
  /** Events older than this are dropped. */
  maxAgeMs: number;
  /** At most this many events are kept. */
  maxCount: number;
}

export const defaultRetention: RetentionPolicy = { maxAgeMs: 30 * 24 * 3600_000, maxCount: 200_000 };

export interface SubscribeOptions {
  since?: number;
  afterSeq?: number;
  until?: number;
  filters?: EventFilters;
  signal?: AbortSignal;
}

interface Row {
  seq: number;
  time: number;
  type: string;
  action: string;
  actor_id: string;
  attributes: string;
}

const BATCH = 256;
const PRUNE_EVERY = 1000;

function toEvent(row: Row): EngineEvent {
  return {
    seq: row.seq,
    time: row.time,
    type: row.type as EventType,
    action: row.action,
    actor: { id: row.actor_id, attributes: JSON.parse(row.attributes) as Record<string, string> },
  };
}

export class EventLog {
  private readonly waiters = new Set<() => void>();
  private lastTime = 0;
  private appendsSincePrune = 0;
  private readonly insert;
  private readonly after;

  constructor(
    private readonly db: Store,
    private readonly retention: RetentionPolicy = defaultRetention,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare('INSERT INTO events(time, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?)');
    this.after = db.prepare(`SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ${BATCH}`);
    const last = db.prepare('SELECT MAX(time) AS t FROM events').get() as { t: number | null };
    this.lastTime = last.t ?? 0;
    this.prune();
  }

  /** Persists the event, then wakes subscribers. Times never go backwards, so time order = seq order. */
  append(event: NewEvent): EngineEvent {
    const time = Math.max(this.now(), this.lastTime);
    this.lastTime = time;
    const result = this.insert.run(time, event.type, event.action, event.actor.id, JSON.stringify(event.actor.attributes));
    if (++this.appendsSincePrune >= PRUNE_EVERY) this.prune();
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
    return { seq: Number(result.lastInsertRowid), time, ...event };
  }

  lastSeq(): number {
    const row = this.db.prepare('SELECT MAX(seq) AS s FROM events').get() as { s: number | null };
    return row.s ?? 0;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }

  /** History, newest first. */
  list(options: { since?: number; until?: number; filters?: EventFilters; limit: number }): EngineEvent[] {
    const out: EngineEvent[] = [];
    let before = Number.MAX_SAFE_INTEGER;
    const page = this.db.prepare(`SELECT * FROM events WHERE seq < ? AND time >= ? AND time <= ? ORDER BY seq DESC LIMIT ${BATCH}`);
    while (out.length < options.limit) {
      const rows = page.all(before, options.since ?? 0, options.until ?? Number.MAX_SAFE_INTEGER) as Row[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const event = toEvent(row);
        if (matchesEvent(event, options.filters)) out.push(event);
        if (out.length >= options.limit) break;
      }
      before = rows[rows.length - 1]!.seq;
    }
    return out;
  }

  /** Replays from `afterSeq` or `since`, then follows live; ends at `until` or when the signal aborts. */
  async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<EngineEvent> {
    const { until, filters, signal } = options;
    let cursor = this.startCursor(options);
    while (!signal?.aborted) {
      const rows = this.after.all(cursor) as Row[];
      if (rows.length === 0) {
        if (until !== undefined && this.now() > until) return;
        await this.waitForAppend(signal, until);
        continue;
      }
      for (const row of rows) {
        cursor = row.seq;
        if (until !== undefined && row.time > until) return;
        const event = toEvent(row);
        if (matchesEvent(event, filters)) yield event;
        if (signal?.aborted) return;
      }
    }
  }

  /** Drops events past the retention policy. */
  prune() {
    this.appendsSincePrune = 0;
    const cutoff = this.now() - this.retention.maxAgeMs;
    this.db.prepare('DELETE FROM events WHERE time < ?').run(cutoff);
    this.db.prepare('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?').run(this.retention.maxCount);
  }

  private startCursor(options: SubscribeOptions): number {
    if (options.afterSeq !== undefined) return options.afterSeq;
    if (options.since !== undefined) {
      const row = this.db.prepare('SELECT MIN(seq) AS s FROM events WHERE time >= ?').get(options.since) as { s: number | null };
      return row.s !== null ? row.s - 1 : this.lastSeq();
    }
    return this.lastSeq();
  }

  private waitForAppend(signal: AbortSignal | undefined, until: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
      if (until !== undefined) timer = setTimeout(done, Math.max(0, until - this.now()) + 5);
    });
  }
}
