// Volumes: list (refreshed by volume events), create, remove (refused by the engine while a container uses
// one, with its message), prune unused anonymous volumes, and inspect one.
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { VolumeInfo } from '../../engine/api/volumes';
import { useServices } from '../app';
import { ErrorState, NotAvailableState, ScreenHeader } from '../components/Shell';
import { callIfAvailable, NotAvailable } from '../queries/methods';

export function VolumesScreen() {
  const { connection } = useServices();
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const nameId = useId();
  const list = useQuery({ queryKey: ['volumes', 'list'], queryFn: () => callIfAvailable<VolumeInfo[]>(connection, 'volumes.list', {}) });
  const act = useMutation({
    mutationFn: async (op: { kind: 'create'; name: string } | { kind: 'remove'; name: string } | { kind: 'prune' }) => {
      setNotice(null);
      if (op.kind === 'create') {
        const v = await callIfAvailable<VolumeInfo>(connection, 'volumes.create', { name: op.name });
        setName('');
        setNotice(`Created volume ${v.name}`);
      } else if (op.kind === 'remove') {
        await callIfAvailable(connection, 'volumes.remove', { name: op.name });
        if (shown === op.name) setShown(null);
      } else {
        const r = await callIfAvailable<{ removed: string[] }>(connection, 'volumes.prune', {});
        setNotice(r.removed.length ? `Removed ${r.removed.length} unused anonymous volume${r.removed.length === 1 ? '' : 's'}` : 'Nothing to prune');
      }
    },
  });
  const create = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) act.mutate({ kind: 'create', name: name.trim() });
  };
  const detail = list.data?.find((v) => v.name === shown) ?? null;

  if (list.error instanceof NotAvailable) {
    return (
      <section className="screen">
        <ScreenHeader title="Volumes" />
        <NotAvailableState what="Volumes" method="volumes.list" />
      </section>
    );
  }
  return (
    <section className="screen">
      <ScreenHeader title="Volumes">
        <form onSubmit={create} className="toolbar inline">
          <label htmlFor={nameId}>New volume</label>
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="name" />
          <button type="submit" disabled={!name.trim() || act.isPending}>
            Create
          </button>
        </form>
        <button type="button" onClick={() => act.mutate({ kind: 'prune' })} disabled={act.isPending}>
          Prune anonymous
        </button>
      </ScreenHeader>
      {list.error ? <ErrorState error={list.error} /> : null}
      {act.error ? <ErrorState error={act.error} /> : null}
      {notice ? (
        <p role="status" className="muted">
          {notice}
        </p>
      ) : null}
      {!list.data ? (
        <p className="muted" role="status">
          Loading volumes…
        </p>
      ) : list.data.length === 0 ? (
        <p className="empty-state" role="status">
          No volumes yet. Create one here or with fd volume create data; fd run -v data:/data makes one too.
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Volumes">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Driver</th>
                <th scope="col">In use by</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((v) => (
                <tr key={v.name}>
                  <th scope="row" className="mono">
                    {v.anonymous ? `${v.name.slice(0, 12)}… (anonymous)` : v.name}
                  </th>
                  <td>{v.driver}</td>
                  <td>{v.containers.length ? `${v.containers.length} container${v.containers.length === 1 ? '' : 's'}` : <span className="muted">unused</span>}</td>
                  <td>{new Date(v.created).toLocaleString()}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setShown(shown === v.name ? null : v.name)} aria-label={`Inspect ${v.name}`}>
                      Inspect
                    </button>
                    <button
                      type="button"
                      disabled={act.isPending}
                      aria-label={`Remove ${v.name}`}
                      onClick={() => window.confirm(`Remove volume ${v.name} and its data?`) && act.mutate({ kind: 'remove', name: v.name })}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {detail ? (
        <pre className="inspect" tabIndex={0} aria-label={`Volume ${detail.name} as JSON`}>
          {JSON.stringify(detail, null, 2)}
        </pre>
      ) : null}
    </section>
  );
}
