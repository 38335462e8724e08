import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/db';
import { EventLog } from './log';
import type { EngineEvent, NewEvent } from '../api/events';

const ev = (i: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  type: 'container',
  action: i % 2 ? 'start' : 'die',
  actor: { id: `c${i}`, attributes: { name: `n${i}`, 'com.example': i % 3 === 0 ? 'x' : 'y' } },
  ...extra,
});

let store: Store;
afterEach(() => store?.close());

async function take(iter: AsyncIterable<EngineEvent>, n: number): Promise<EngineEvent[]> {
  const out: EngineEvent[] = [];
  if (n === 0) return out;
  for await (const e of iter) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('event log', () => {
  it('replays history then streams live appends with no gap and no duplicate', async () => {
    store = openStore(':memory:');
    const log = new EventLog(store);
    for (let i = 0; i < 300; i++) log.append(ev(i));
    const received = take(log.subscribe({ afterSeq: 0 }), 900);
    // Appends race with the replay: interleave bursts with the subscriber's reads.
    for (let burst = 0; burst < 60; burst++) {
      for (let i = 0; i < 10; i++) log.append(ev(300 + burst * 10 + i));
      await new Promise((r) => setImmediate(r));
    }
    const seqs = (await received).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
  });

  it('resuming after a sequence number continues exactly where it left off', async () => {
    store = openStore(':memory:');
    const log = new EventLog(store);
    for (let i = 0; i < 20; i++) log.append(ev(i));
    const first = await take(log.subscribe({ afterSeq: 0 }), 7);
    const rest = await take(log.subscribe({ afterSeq: first.at(-1)!.seq }), 13);
    expect([...first, ...rest].map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('since replays from a time; a past until replays and ends', async () => {
    let now = 1_000_000;
    store = openStore(':memory:');
    const log = new EventLog(store, undefined, () => now);
    for (let i = 0; i < 10; i++) {
      log.append(ev(i));
      now += 1000;
    }
    const all: EngineEvent[] = [];
    for await (const e of log.subscribe({ since: 1_003_000, until: 1_006_000 })) all.push(e);
    expect(all.map((e) => e.actor.id)).toEqual(['c3', 'c4', 'c5', 'c6']);
  });

  it('a live subscriber without since sees only new events', async () => {
    store = openStore(':memory:');
    const log = new EventLog(store);
    log.append(ev(1));
    const live = take(log.subscribe({}), 1);
    await new Promise((r) => setImmediate(r));
    log.append(ev(2));
    expect((await live)[0]!.actor.id).toBe('c2');
  });

  it('filters by type, action, actor and label like docker', async () => {
    store = openStore(':memory:');
    const log = new EventLog(store);
    for (let i = 0; i < 12; i++) log.append(ev(i));
    log.append({ type: 'image', action: 'pull', actor: { id: 'busybox', attributes: {} } });
    const list = (filters: Parameters<EventLog['list']>[0]['filters']) => log.list({ filters, limit: 100 }).map((e) => e.actor.id);
    expect(list({ type: ['image'] })).toEqual(['busybox']);
    expect(list({ action: ['start'], label: ['com.example=x'] })).toEqual(['c9', 'c3']);
    expect(list({ actor: ['n4'] })).toEqual(['c4']);
    expect(list({ label: ['missing'] })).toEqual([]);
  });

  it('an aborted subscription ends promptly', async () => {
    store = openStore(':memory:');
    const log = new EventLog(store);
    const abort = new AbortController();
    const iter = log.subscribe({ signal: abort.signal })[Symbol.asyncIterator]();
    const next = iter.next();
    abort.abort();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
  });

  it('retention drops events past the age and count limits', () => {
    let now = 10_000_000;
    store = openStore(':memory:');
    const log = new EventLog(store, { maxAgeMs: 5_000, maxCount: 4 }, () => now);
    for (let i = 0; i < 3; i++) log.append(ev(i));
    now += 10_000;
    for (let i = 3; i < 9; i++) log.append(ev(i));
    log.prune();
    expect(log.list({ limit: 100 }).map((e) => e.actor.id)).toEqual(['c8', 'c7', 'c6', 'c5']);
  });

  it('times never go backwards even if the clock does', () => {
    let now = 5000;
    store = openStore(':memory:');
    const log = new EventLog(store, undefined, () => now);
    const a = log.append(ev(1));
    now = 1000;
    const b = log.append(ev(2));
    expect(b.time).toBeGreaterThanOrEqual(a.time);
    expect(b.seq).toBe(a.seq + 1);
  });
});
