// Docker's view of the one event log (notes §6.2): the engine's events with the legacy fields compose acts
// on (`status`, `id`, `from`), and docker filter keys mapped onto the contract's EventFilters.
import type { EngineEvent, EventFilters, EventType } from '../api/events';
import { EngineError } from '../api/errors';
import { checkFilterKeys } from './http';

/** Our event types as Docker names them; `compose` has no Docker counterpart and is not shown. */
const dockerType: Partial<Record<EventType, string>> = {
  container: 'container',
  image: 'image',
  volume: 'volume',
  network: 'network',
  engine: 'daemon',
};
const engineTypeOf: Record<string, EventType> = { container: 'container', image: 'image', volume: 'volume', network: 'network', daemon: 'engine' };
/** Docker event types we never produce: asking for only these matches nothing. */
const foreignTypes = new Set(['plugin', 'node', 'service', 'secret', 'config']);

const acceptedKeys = ['container', 'daemon', 'event', 'image', 'label', 'network', 'type', 'volume', 'scope', 'plugin', 'node', 'service', 'secret', 'config'] as const;

export interface DockerEventQuery {
  filters: EventFilters;
  /** True when the filters can match none of our events (type=plugin, scope=swarm): stream nothing. */
  matchesNothing: boolean;
}

export function dockerEventFilters(filters: Map<string, string[]>): DockerEventQuery {
  checkFilterKeys(filters, acceptedKeys);
  const out: EventFilters = {};
  let matchesNothing = false;
  const types = filters.get('type');
  if (types?.length) {
    for (const t of types) if (!engineTypeOf[t] && !foreignTypes.has(t)) throw new EngineError('invalid', `invalid event type: ${t}`);
    const ours = types.filter((t) => engineTypeOf[t]).map((t) => engineTypeOf[t]!);
    if (ours.length) out.type = ours;
    else matchesNothing = true;
  } else {
    out.type = Object.keys(dockerType) as EventType[];
  }
  const scope = filters.get('scope');
  if (scope?.length && !scope.includes('local')) matchesNothing = true;
  for (const key of ['plugin', 'node', 'service', 'secret', 'config']) if (filters.get(key)?.length) matchesNothing = true;
  const action = filters.get('event');
  if (action?.length) out.action = action;
  // moby ANDs these keys; in practice one is given, and the contract matches any listed actor by id or name.
  const actors = ['container', 'image', 'volume', 'network', 'daemon'].flatMap((k) => filters.get(k) ?? []);
  if (actors.length) out.actor = actors;
  const labels = filters.get('label');
  if (labels?.length) out.label = labels;
  return { filters: out, matchesNothing };
}

/**
 * One line of `/events`: moby's `events.Message` (json.NewEncoder, so newline-terminated). `timeNano` is
 * above 2^53, so it is written from a BigInt by hand rather than through a float.
 */
export function dockerEventLine(event: EngineEvent): string | null {
  const type = dockerType[event.type];
  if (!type) return null;
  const legacy: Record<string, string> = {};
  if (event.type === 'container' || event.type === 'image') {
    legacy.status = event.action;
    legacy.id = event.actor.id;
    if (event.type === 'container' && event.actor.attributes.image) legacy.from = event.actor.attributes.image;
  }
  const message = {
    ...legacy,
    Type: type,
    Action: event.action,
    Actor: { ID: event.actor.id, Attributes: event.actor.attributes },
    scope: 'local',
    time: Math.floor(event.time / 1000),
  };
  const json = JSON.stringify(message);
  return `${json.slice(0, -1)},"timeNano":${(BigInt(event.time) * 1_000_000n).toString()}}\n`;
}
