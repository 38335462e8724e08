// Containers: grouped by compose project, with state, published ports (click to open), uptime, lifecycle
// actions per row and for a selection, and a filter box. The list is refetched when a container event arrives
// (queries/bridge.ts), never on a timer; only the uptime text ticks locally.
import { useEffect, useId, useMemo, useState } from 'react';
import { useMutation, useQueries, useQuery } from '@tanstack/react-query';
import type { ContainerInspect, ContainerSummary, PortBinding } from '../../engine/api/containers';
import { useServices } from '../app';
import { ErrorState, NotAvailableState, ScreenHeader } from '../components/Shell';
import { callIfAvailable, contractHas, NotAvailable } from '../queries/methods';
import { hrefFor, useUi } from '../state/ui';
import { ContainerDetail } from './ContainerDetail';
import { formatDuration } from '../format';

const PROJECT_LABEL = 'com.docker.compose.project';
type Action = 'start' | 'stop' | 'restart' | 'remove';

/** `8080→80/tcp`, `127.0.0.1:8000-8003→8000-8003/tcp`; the link opens the first host port over http. */
export function describePort(p: PortBinding): { text: string; href: string | null } {
  const span = (port: number) => (p.range && p.range > 1 ? `${port}-${port + p.range - 1}` : String(port));
  const anyAddress = !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::';
  const host = anyAddress ? 'localhost' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  if (!p.hostPort) return { text: `${span(p.containerPort)}/${p.protocol}`, href: null };
  const text = `${anyAddress ? '' : `${p.hostIp}:`}${span(p.hostPort)}→${span(p.containerPort)}/${p.protocol}`;
  return { text, href: p.protocol === 'tcp' ? `http://${host}:${p.hostPort}/` : null };
}

function Ports({ ports }: { ports: PortBinding[] }) {
  if (!ports.length) return null;
  return (
    <ul className="ports">
      {ports.map((p) => {
        const { text, href } = describePort(p);
        return (
          <li key={text}>
            {href ? (
              <a href={href} target="_blank" rel="noreferrer" title={`Open ${href}`}>
                {text}
              </a>
            ) : (
              text
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The current time, once a second while `on` (for uptimes); nothing ticks when no container runs. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

function groupByProject(list: ContainerSummary[]) {
  const groups = new Map<string, ContainerSummary[]>();
  for (const c of list) {
    const project = c.labels[PROJECT_LABEL] ?? '';
    groups.set(project, [...(groups.get(project) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
}

interface RowProps {
  c: ContainerSummary;
  busy: boolean;
  selected: boolean;
  startedAt: number | null;
  now: number;
  onSelect: (id: string, on: boolean) => void;
  onAction: (a: Action, c: ContainerSummary) => void;
}

function ContainerRow({ c, busy, selected, startedAt, now, onSelect, onAction }: RowProps) {
  const running = c.state === 'running';
  const can = (method: string) => contractHas(`containers.${method}`);
  return (
    <tr data-id={c.id} aria-selected={selected}>
      <td className="select">
        <input type="checkbox" checked={selected} onChange={(e) => onSelect(c.id, e.target.checked)} aria-label={`Select ${c.name}`} />
      </td>
      <th scope="row">
        <a href={hrefFor('containers', c.id)} aria-label={c.name}>
          {c.name}
        </a>
      </th>
      <td>
        <span className={`state state-${c.state}`}>{c.state}</span>
      </td>
      <td className="mono">{c.image || '(rootfs)'}</td>
      <td className="mono small">
        <Ports ports={c.ports ?? []} />
      </td>
      <td className="nowrap" data-col="uptime">
        {running && startedAt ? formatDuration(now - startedAt) : <span className="muted">{c.status}</span>}
      </td>
      <td className="mono small">{c.id.slice(0, 12)}</td>
      <td className="row-actions">
        {running ? (
          <button type="button" disabled={busy || !can('stop')} onClick={() => onAction('stop', c)} aria-label={`Stop ${c.name}`}>
            Stop
          </button>
        ) : (
          <button type="button" disabled={busy || !can('start')} onClick={() => onAction('start', c)} aria-label={`Start ${c.name}`}>
            Start
          </button>
        )}
        <button type="button" disabled={busy || !can('restart')} onClick={() => onAction('restart', c)} aria-label={`Restart ${c.name}`}>
          Restart
        </button>
        <button type="button" disabled={busy || !can('remove')} onClick={() => onAction('remove', c)} aria-label={`Remove ${c.name}`}>
          Remove
        </button>
      </td>
    </tr>
  );
}

export function ContainersScreen() {
  const param = useUi((s) => s.route.param);
  return param ? <ContainerDetail id={param} /> : <ContainerList />;
}

const actionLabels: Record<Action, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', remove: 'Remove' };

function ContainerList() {
  const { connection } = useServices();
  const filter = useUi((s) => s.containerFilter);
  const setFilter = useUi((s) => s.setContainerFilter);
  const filterId = useId();
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkErrors, setBulkErrors] = useState<string[]>([]);
  const list = useQuery({
    queryKey: ['containers', 'list'],
    queryFn: () => callIfAvailable<ContainerSummary[]>(connection, 'containers.list', { all: true }),
  });
  const running = (list.data ?? []).filter((c) => c.state === 'running');
  // Uptime needs the start time, which only inspect has; these share the detail view's cache and refresh on events.
  const inspects = useQueries({
    queries: running.map((c) => ({
      queryKey: ['containers', 'inspect', c.id],
      queryFn: () => connection.call('containers.inspect', { id: c.id }) as Promise<ContainerInspect>,
    })),
  });
  const startedAt = new Map<string, number>();
  for (const q of inspects) if (q.data?.state.startedAt) startedAt.set(q.data.id, Date.parse(q.data.state.startedAt));
  const now = useNow(running.length > 0);

  const run = async (kind: Action, c: ContainerSummary) => {
    const input = kind === 'remove' ? { id: c.id, force: c.state === 'running' } : { id: c.id };
    setBusy((b) => new Set(b).add(c.id));
    try {
      await callIfAvailable(connection, `containers.${kind}`, input);
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(c.id);
        return next;
      });
    }
  };
  const action = useMutation({ mutationFn: ({ kind, c }: { kind: Action; c: ContainerSummary }) => run(kind, c) });
  const onAction = (kind: Action, c: ContainerSummary) => {
    if (kind === 'remove' && !window.confirm(`Remove container ${c.name}?${c.state === 'running' ? ' It is running and will be killed.' : ''}`)) return;
    action.mutate({ kind, c });
  };
  const shown = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const all = list.data ?? [];
    return text ? all.filter((c) => [c.name, c.image, c.id, c.state, c.labels[PROJECT_LABEL] ?? ''].some((v) => v.toLowerCase().includes(text))) : all;
  }, [list.data, filter]);
  // The selection is what is both ticked and still shown (a filter or a removal drops rows from it).
  const chosen = shown.filter((c) => selected.has(c.id));
  const onSelect = (id: string, on: boolean) =>
    setSelected((sel) => {
      const next = new Set(sel);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const onBulk = async (kind: Action) => {
    const targets = chosen.filter((c) => (kind === 'start' ? c.state !== 'running' : kind === 'stop' ? c.state === 'running' : true));
    if (!targets.length) return;
    const names = targets.map((c) => c.name).join(', ');
    if (kind === 'remove' && !window.confirm(`Remove ${targets.length} container${targets.length === 1 ? '' : 's'} (${names})? Running ones are killed.`)) return;
    setBulkErrors([]);
    const results = await Promise.allSettled(targets.map((c) => run(kind, c)));
    setBulkErrors(results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [])));
    if (kind === 'remove') setSelected(new Set());
  };

  if (list.error instanceof NotAvailable) {
    return (
      <section className="screen">
        <ScreenHeader title="Containers" />
        <NotAvailableState what="Containers" method="containers.list" />
      </section>
    );
  }
  return (
    <section className="screen">
      <ScreenHeader title="Containers">
        <label htmlFor={filterId} className="visually-hidden">
          Filter containers
        </label>
        <input id={filterId} type="search" placeholder="Filter by name, image, state, project" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </ScreenHeader>
      {list.error ? <ErrorState error={list.error} /> : null}
      {action.error ? <ErrorState error={action.error} /> : null}
      {bulkErrors.length ? <ErrorState error={new Error(bulkErrors.join('; '))} /> : null}
      {chosen.length > 0 ? (
        <div className="toolbar bulk" role="toolbar" aria-label="Selected containers">
          <span>{chosen.length} selected</span>
          {(['start', 'stop', 'restart', 'remove'] as const).map((kind) => (
            <button key={kind} type="button" disabled={!contractHas(`containers.${kind}`)} onClick={() => void onBulk(kind)}>
              {actionLabels[kind]} selected
            </button>
          ))}
          <button type="button" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      ) : null}
      {!list.data ? (
        <p className="muted" role="status">
          Loading containers…
        </p>
      ) : list.data.length === 0 ? (
        <div className="empty-state" role="status">
          <h2>No containers yet</h2>
          <p>
            Start one from a terminal with <code>fd run -d --name web nginx</code>, or with docker pointed at this engine (the DOCKER_HOST line is
            under Settings). It appears here as soon as it is created.
          </p>
        </div>
      ) : shown.length === 0 ? (
        <p className="empty-state" role="status">
          No container matches “{filter}”.
        </p>
      ) : (
        groupByProject(shown).map(([project, items]) => {
          const all = items.every((c) => selected.has(c.id));
          const label = project ? `Compose project ${project}` : 'Containers';
          return (
            <div className="table-wrap" key={project || '-'}>
              <table aria-label={label}>
                {project ? (
                  <caption>
                    Compose project {project} <span className="muted small">({items.filter((c) => c.state === 'running').length}/{items.length} running)</span>
                  </caption>
                ) : null}
                <thead>
                  <tr>
                    <th scope="col" className="select">
                      <input type="checkbox" checked={all} onChange={(e) => items.forEach((c) => onSelect(c.id, e.target.checked))} aria-label={`Select all in ${label}`} />
                    </th>
                    <th scope="col">Name</th>
                    <th scope="col">State</th>
                    <th scope="col">Image</th>
                    <th scope="col">Ports</th>
                    <th scope="col">Uptime</th>
                    <th scope="col">ID</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((c) => (
                    <ContainerRow
                      key={c.id}
                      c={c}
                      busy={busy.has(c.id)}
                      selected={selected.has(c.id)}
                      startedAt={startedAt.get(c.id) ?? null}
                      now={now}
                      onSelect={onSelect}
                      onAction={onAction}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          );
        })
      )}
    </section>
  );
}
