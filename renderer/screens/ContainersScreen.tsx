// Containers: grouped by compose project, with state, image, status and lifecycle actions. The list is
// refetched when a container event arrives (queries/bridge.ts), never on a timer.
import { useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ContainerSummary } from '../../engine/api/containers';
import { useServices } from '../app';
import { ErrorState, NotAvailableState, ScreenHeader } from '../components/Shell';
import { callIfAvailable, contractHas, NotAvailable } from '../queries/methods';
import { hrefFor, useUi } from '../state/ui';
import { ContainerDetail } from './ContainerDetail';

const PROJECT_LABEL = 'com.docker.compose.project';
type Action = 'start' | 'stop' | 'restart' | 'remove';

function groupByProject(list: ContainerSummary[]) {
  const groups = new Map<string, ContainerSummary[]>();
  for (const c of list) {
    const project = c.labels[PROJECT_LABEL] ?? '';
    groups.set(project, [...(groups.get(project) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
}

function ContainerRow({ c, busy, onAction }: { c: ContainerSummary; busy: boolean; onAction: (a: Action, c: ContainerSummary) => void }) {
  const running = c.state === 'running';
  const can = (method: string) => contractHas(`containers.${method}`);
  return (
    <tr data-id={c.id}>
      <th scope="row">
        <a href={hrefFor('containers', c.id)} aria-label={c.name}>
          {c.name}
        </a>
      </th>
      <td>
        <span className={`state state-${c.state}`}>{c.state}</span>
      </td>
      <td className="mono">{c.image || '(rootfs)'}</td>
      <td>{c.status}</td>
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

function ContainerList() {
  const { connection } = useServices();
  const filter = useUi((s) => s.containerFilter);
  const setFilter = useUi((s) => s.setContainerFilter);
  const filterId = useId();
  const [busyId, setBusyId] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['containers', 'list'],
    queryFn: () => callIfAvailable<ContainerSummary[]>(connection, 'containers.list', { all: true }),
  });
  const action = useMutation({
    mutationFn: async ({ kind, c }: { kind: Action; c: ContainerSummary }) => {
      setBusyId(c.id);
      const input = kind === 'remove' ? { id: c.id, force: c.state === 'running' } : { id: c.id };
      try {
        await callIfAvailable(connection, `containers.${kind}`, input);
      } finally {
        setBusyId(null);
      }
    },
  });
  const onAction = (kind: Action, c: ContainerSummary) => {
    if (kind === 'remove' && !window.confirm(`Remove container ${c.name}?${c.state === 'running' ? ' It is running and will be killed.' : ''}`)) return;
    action.mutate({ kind, c });
  };
  const shown = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const all = list.data ?? [];
    return text ? all.filter((c) => [c.name, c.image, c.id, c.state, c.labels[PROJECT_LABEL] ?? ''].some((v) => v.toLowerCase().includes(text))) : all;
  }, [list.data, filter]);

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
        groupByProject(shown).map(([project, items]) => (
          <div className="table-wrap" key={project || '-'}>
            <table aria-label={project ? `Compose project ${project}` : 'Containers'}>
              {project ? <caption>Compose project {project}</caption> : null}
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Image</th>
                  <th scope="col">Status</th>
                  <th scope="col">ID</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <ContainerRow key={c.id} c={c} busy={busyId === c.id} onAction={onAction} />
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
    </section>
  );
}
