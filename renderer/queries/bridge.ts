// Keeps react-query true to the engine from the events stream alone: event histories are patched per event,
// other lists are invalidated by the events that change them (coalesced per animation frame so bursts cost
// one refetch), and queries that failed while the engine was away are retried once it is back.
import type { QueryClient } from '@tanstack/react-query';
import type { EngineEvent, EngineInfo, EventType } from '../../engine/api';
import type { EngineConnection } from '../connection/connection';
import type { EventFeed } from '../connection/eventFeed';
import { patchEventHistories } from './events';

/** Which query keys an event of each type makes stale. */
const staleByType: Record<EventType, string[][]> = {
  // A container's create and removal change which volumes are in use.
  container: [['containers'], ['system.info'], ['volumes']],
  image: [['images'], ['system.info']],
  volume: [['volumes'], ['system.info']],
  network: [['networks'], ['system.info']],
  compose: [['compose'], ['containers']],
  engine: [['system.info'], ['system.version']],
};

export function bridgeEventsToQueries(feed: EventFeed, connection: EngineConnection, queryClient: QueryClient): () => void {
  const pending = new Map<string, string[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const key of pending.values()) void queryClient.invalidateQueries({ queryKey: key });
    pending.clear();
  };
  const offEvents = feed.on((event: EngineEvent) => {
    patchEventHistories(queryClient, event);
    queryClient.setQueryData<EngineInfo>(['system.info'], (info) => (info ? { ...info, counts: { ...info.counts, events: info.counts.events + 1 } } : info));
    for (const key of staleByType[event.type] ?? []) pending.set(key.join('\u0000'), key);
    if (!scheduled && pending.size) {
      scheduled = true;
      (globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 16)))(flush);
    }
  });
  let first = true;
  const offReady = connection.onReady(() => {
    if (first) return void (first = false);
    void queryClient.refetchQueries({ predicate: (q) => q.state.status === 'error' });
  });
  return () => {
    offEvents();
    offReady();
  };
}
