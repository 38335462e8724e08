// The one event shape (design §5): every state change of every subsystem, persisted then published.
import { z } from 'zod';
import { call, stream } from './kit';
import { eventTypes } from './schema-free';

export { eventTypes };
export const EventType = z.enum(eventTypes);
export type EventType = z.infer<typeof EventType>;

export const EngineEvent = z.object({
  /** Position in the log: strictly increasing, never reused. Resume a stream with `afterSeq`. */
  seq: z.number().int().positive(),
  /** Unix time in milliseconds. */
  time: z.number().int().nonnegative(),
  type: EventType,
  action: z.string(),
  actor: z.object({ id: z.string(), attributes: z.record(z.string(), z.string()) }),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

/** The fields a subsystem supplies when it appends; the log assigns `seq` and `time`. */
export type NewEvent = Omit<EngineEvent, 'seq' | 'time'>;

export const EventFilters = z
  .object({
    type: z.array(EventType).optional(),
    action: z.array(z.string()).optional(),
    /** Actor ids or, for containers, names (attribute `name`). */
    actor: z.array(z.string()).optional(),
    /** `key` or `key=value` against the actor's attributes. */
    label: z.array(z.string()).optional(),
  })
  .strict();
export type EventFilters = z.infer<typeof EventFilters>;

const TimeMs = z.number().int().nonnegative();

export const EventsSubscribeInput = z
  .object({
    /** Replay events at or after this time (ms) first. Without it and without afterSeq: live only. */
    since: TimeMs.optional(),
    /** Resume exactly after this sequence number (no gap, no duplicate); wins over `since`. */
    afterSeq: z.number().int().nonnegative().optional(),
    /** Stop once events pass this time (ms); a past `until` replays and ends. */
    until: TimeMs.optional(),
    filters: EventFilters.optional(),
  })
  .strict();

export const EventsListInput = z
  .object({
    since: TimeMs.optional(),
    until: TimeMs.optional(),
    filters: EventFilters.optional(),
    /** Newest events first, at most this many. */
    limit: z.number().int().min(1).max(10_000).default(500),
  })
  .strict();

export const eventsContract = {
  'events.subscribe': stream('Replay events from the log, then stream new ones live.', EventsSubscribeInput, EngineEvent),
  'events.list': call('A page of event history, newest first.', EventsListInput, z.array(EngineEvent)),
};
