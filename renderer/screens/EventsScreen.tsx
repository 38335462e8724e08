// Events: the log's history for a time range, type and action, with new events arriving live at the top.
import { useId } from 'react';
import { eventTypes, type EngineEvent, type EventType } from '../../engine/api';
import { ErrorState, ScreenHeader } from '../components/Shell';
import { useEventHistory } from '../queries/events';
import { hrefFor, timeRanges, useUi, type ScreenId, type TimeRangeId } from '../state/ui';

const screenForType: Record<EventType, ScreenId> = {
  container: 'containers',
  image: 'images',
  volume: 'volumes',
  network: 'networks',
  compose: 'compose',
  engine: 'settings',
};

const commonActions = ['create', 'start', 'stop', 'die', 'kill', 'restart', 'destroy', 'oom', 'pull', 'delete', 'tag', 'connect', 'disconnect', 'up', 'down'];

function formatTime(ms: number) {
  const d = new Date(ms);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `datetime-local` value in local time, and back. */
const toLocalInput = (ms: number | null) => (ms === null ? '' : new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
const fromLocalInput = (value: string) => (value ? new Date(value).getTime() : null);

function objectLabel(event: EngineEvent) {
  return event.actor.attributes.name ?? event.actor.attributes.ref ?? event.actor.id;
}

function EventRow({ event }: { event: EngineEvent }) {
  const attributes = Object.entries(event.actor.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const label = objectLabel(event);
  const target = screenForType[event.type];
  return (
    <tr data-seq={event.seq}>
      <td className="mono nowrap">{formatTime(event.time)}</td>
      <td>{event.type}</td>
      <td>{event.action}</td>
      <td>
        <a href={hrefFor(target, event.type === 'engine' ? '' : event.actor.id)} aria-label={`Open ${event.type} ${label}`}>
          {label}
        </a>
      </td>
      <td className="mono small">{attributes}</td>
    </tr>
  );
}

export function EventsScreen() {
  const query = useUi((s) => s.eventQuery);
  const setQuery = useUi((s) => s.setEventQuery);
  const history = useEventHistory(query);
  const ids = { type: useId(), action: useId(), range: useId(), from: useId(), to: useId(), actions: useId() };
  const live = query.range !== 'custom' || query.to === null || query.to > Date.now();

  return (
    <section className="screen" aria-labelledby="events-title">
      <ScreenHeader title="Events">
        <span className={`live-badge ${live ? 'on' : 'off'}`}>{live ? 'Live' : 'History only'}</span>
      </ScreenHeader>
      <form className="toolbar" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={ids.type}>Type</label>
        <select id={ids.type} value={query.type} onChange={(e) => setQuery({ type: e.target.value as EventType | '' })}>
          <option value="">All types</option>
          {eventTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label htmlFor={ids.action}>Action</label>
        <input
          id={ids.action}
          type="search"
          list={ids.actions}
          placeholder="any"
          value={query.action}
          onChange={(e) => setQuery({ action: e.target.value })}
        />
        <datalist id={ids.actions}>
          {commonActions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <label htmlFor={ids.range}>Time range</label>
        <select id={ids.range} value={query.range} onChange={(e) => setQuery({ range: e.target.value as TimeRangeId })}>
          {timeRanges.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        {query.range === 'custom' ? (
          <>
            <label htmlFor={ids.from}>From</label>
            <input id={ids.from} type="datetime-local" value={toLocalInput(query.from)} onChange={(e) => setQuery({ from: fromLocalInput(e.target.value) })} />
            <label htmlFor={ids.to}>To</label>
            <input id={ids.to} type="datetime-local" value={toLocalInput(query.to)} onChange={(e) => setQuery({ to: fromLocalInput(e.target.value) })} />
          </>
        ) : null}
      </form>
      {history.error ? <ErrorState error={history.error} /> : null}
      {history.data === undefined ? (
        <p className="muted" role="status">
          Loading events…
        </p>
      ) : history.data.length === 0 ? (
        <p className="empty-state" role="status">
          No events match these filters. Events appear here as containers, images, volumes and networks change.
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Events" aria-rowcount={history.data.length + 1}>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Attributes</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((e) => (
                <EventRow key={e.seq} event={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
