import type { EngineApi } from '../api/contract';
import type { EngineContext, Service } from '../context';

type EventHandlers = Pick<EngineApi, 'events.subscribe' | 'events.list'>;

export function createEventsService(ctx: EngineContext): Service<EventHandlers> {
  return {
    handlers: {
      'events.subscribe': (input, { signal }) => ctx.events.subscribe({ ...input, signal }),
      'events.list': async (input) => ctx.events.list(input),
    },
  };
}
