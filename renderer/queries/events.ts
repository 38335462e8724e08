// Event history as a react-query, patched in place by the live feed: a new event is prepended to every cached
// history it matches, by sequence number, so it shows once and only once.
import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { EngineEvent, EventFilters } from '../../engine/api';
import { useFeedReady, useServices } from '../app';
import { timeRanges, type EventQuery } from '../state/ui';

export const HISTORY_LIMIT = 500;
export const eventsKey = (query: EventQuery) => ['events.list', query] as const;

export function listInput(query: EventQuery, now: number) {
  const filters: EventFilters = {};
  if (query.type) filters.type = [query.type];
  if (query.action.trim()) filters.action = [query.action.trim()];
  const range = timeRanges.find((r) => r.id === query.range);
  let since: number | undefined;
  let until: number | undefined;
  if (query.range === 'custom') {
    since = query.from ?? undefined;
    until = query.to ?? undefined;
  } else if (range?.ms) {
    since = now - range.ms;
  }
  return { since, until, filters, limit: HISTORY_LIMIT };
}

/** Whether a live event belongs in a history query (relative ranges always take new events). */
export function eventMatches(query: EventQuery, event: EngineEvent): boolean {
  if (query.type && event.type !== query.type) return false;
  if (query.action.trim() && event.action !== query.action.trim()) return false;
  if (query.range === 'custom') {
    if (query.from !== null && event.time < query.from) return false;
    if (query.to !== null && event.time > query.to) return false;
  }
  return true;
}

/** Prepends `event` to a newest-first list unless its seq is already there. */
export function prependEvent(list: EngineEvent[], event: EngineEvent): EngineEvent[] {
  if (list.length > 0 && list[0]!.seq >= event.seq) {
    if (list.some((e) => e.seq === event.seq)) return list;
    return [...list, event].sort((a, b) => b.seq - a.seq).slice(0, HISTORY_LIMIT);
  }
  return [event, ...list].slice(0, HISTORY_LIMIT);
}

export function patchEventHistories(queryClient: QueryClient, event: EngineEvent) {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: ['events.list'] })) {
    const eventQuery = query.queryKey[1] as EventQuery;
    if (!eventMatches(eventQuery, event) || !query.state.data) continue;
    queryClient.setQueryData<EngineEvent[]>(query.queryKey, (list) => (list ? prependEvent(list, event) : list));
  }
}

export function useEventHistory(query: EventQuery) {
  const { connection } = useServices();
  const feedReady = useFeedReady();
  return useQuery({
    queryKey: eventsKey(query),
    queryFn: () => connection.call('events.list', listInput(query, Date.now())),
    enabled: feedReady,
  });
}
