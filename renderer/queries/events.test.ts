import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/api';
import { eventMatches, HISTORY_LIMIT, listInput, prependEvent } from './events';
import type { EventQuery } from '../state/ui';

const ev = (seq: number, patch: Partial<EngineEvent> = {}): EngineEvent => ({
  seq,
  time: 1_000 + seq,
  type: 'container',
  action: 'start',
  actor: { id: `c${seq}`, attributes: {} },
  ...patch,
});
const q = (patch: Partial<EventQuery> = {}): EventQuery => ({ type: '', action: '', range: '24h', from: null, to: null, ...patch });

describe('event history patching', () => {
  it('prepends a new event once, whatever order the stream and the history arrive in', () => {
    const list = [ev(5), ev(4), ev(3)];
    expect(prependEvent(list, ev(6)).map((e) => e.seq)).toEqual([6, 5, 4, 3]);
    expect(prependEvent(list, ev(5))).toBe(list);
    expect(prependEvent(list, ev(4))).toBe(list);
    expect(prependEvent([ev(5), ev(3)], ev(4)).map((e) => e.seq)).toEqual([5, 4, 3]);
  });

  it('keeps at most the history limit', () => {
    const full = Array.from({ length: HISTORY_LIMIT }, (_, i) => ev(HISTORY_LIMIT - i));
    const next = prependEvent(full, ev(HISTORY_LIMIT + 1));
    expect(next).toHaveLength(HISTORY_LIMIT);
    expect(next[0]!.seq).toBe(HISTORY_LIMIT + 1);
  });

  it('matches the filters the engine applies to the history', () => {
    expect(eventMatches(q({ type: 'image' }), ev(1))).toBe(false);
    expect(eventMatches(q({ type: 'container', action: 'start' }), ev(1))).toBe(true);
    expect(eventMatches(q({ action: 'die' }), ev(1))).toBe(false);
    expect(eventMatches(q({ range: 'custom', from: 2_000, to: null }), ev(1))).toBe(false);
    expect(eventMatches(q({ range: 'custom', from: null, to: 1_000 }), ev(1))).toBe(false);
  });

  it('turns the screen filters into the contract input', () => {
    expect(listInput(q({ type: 'image', action: ' pull ', range: '1h' }), 10_000_000)).toEqual({
      since: 10_000_000 - 3600_000,
      until: undefined,
      filters: { type: ['image'], action: ['pull'] },
      limit: HISTORY_LIMIT,
    });
    expect(listInput(q({ range: 'all' }), 5).since).toBeUndefined();
    expect(listInput(q({ range: 'custom', from: 1, to: 2 }), 5)).toMatchObject({ since: 1, until: 2 });
  });
});
