import type { EngineEvent, EventFilters } from '../api/events';

/** Docker's event filter semantics: values of one key are ORed, different keys are ANDed. */
export function matchesEvent(event: EngineEvent, filters: EventFilters | undefined): boolean {
  if (!filters) return true;
  if (filters.type?.length && !filters.type.includes(event.type)) return false;
  if (filters.action?.length && !filters.action.some((a) => event.action === a || event.action.startsWith(`${a}:`))) return false;
  if (filters.actor?.length) {
    const { id, attributes } = event.actor;
    if (!filters.actor.some((a) => id === a || (a.length >= 12 && id.startsWith(a)) || attributes.name === a)) return false;
  }
  if (filters.label?.length) {
    const attrs = event.actor.attributes;
    for (const label of filters.label) {
      const eq = label.indexOf('=');
      if (eq < 0 ? !(label in attrs) : attrs[label.slice(0, eq)] !== label.slice(eq + 1)) return false;
    }
  }
  return true;
}
