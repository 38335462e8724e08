// Images, volumes, networks and compose projects: a list from their contract method once the engine has it,
// refreshed by that type's events; until then a plain "not available in this engine" state.
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useServices } from '../app';
import { ErrorState, NotAvailableState, ScreenHeader } from '../components/Shell';
import { callIfAvailable, NotAvailable } from '../queries/methods';
import { formatBytes } from '../format';
import { PullDialogButton } from '../components/PullDialog';
import { RunDialogButton } from '../components/RunDialog';

export interface Column {
  header: string;
  value(row: Record<string, unknown>): string;
}

const text = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));
export const field = (header: string, ...keys: string[]): Column => ({
  header,
  value: (row) => text(keys.map((k) => row[k]).find((v) => v !== undefined)),
});

export interface ResourceScreenProps {
  title: string;
  /** The query key root its events invalidate (see queries/bridge.ts). */
  queryKey: string;
  method: string;
  columns: Column[];
  empty: string;
  /** Buttons in the screen header (Pull image…). */
  actions?: ReactNode;
  /** Buttons per row (Run…), in a last Actions column. */
  rowActions?: (row: Record<string, unknown>) => ReactNode;
}

export function ResourceScreen({ title, queryKey, method, columns, empty, actions, rowActions }: ResourceScreenProps) {
  const { connection } = useServices();
  const list = useQuery({ queryKey: [queryKey, 'list'], queryFn: () => callIfAvailable<Record<string, unknown>[]>(connection, method, {}) });
  return (
    <section className="screen">
      <ScreenHeader title={title}>{actions}</ScreenHeader>
      {list.error instanceof NotAvailable ? (
        <NotAvailableState what={title} method={method} />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : !list.data ? (
        <p className="muted" role="status">
          Loading {title.toLowerCase()}…
        </p>
      ) : list.data.length === 0 ? (
        <p className="empty-state" role="status">
          {empty}
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label={title}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" key={c.header}>
                    {c.header}
                  </th>
                ))}
                {rowActions ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.data.map((row, i) => (
                <tr key={text(row.id ?? row.name ?? i)}>
                  {columns.map((c) => (
                    <td key={c.header}>{c.value(row)}</td>
                  ))}
                  {rowActions ? <td className="row-actions">{rowActions(row)}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export { formatBytes };
const shortId = (header: string): Column => ({ header, value: (row) => text(row.id).replace(/^sha256:/, '').slice(0, 12) });
const when = (header: string, key: string): Column => ({
  header,
  value: (row) => (typeof row[key] === 'number' ? new Date(row[key] as number).toLocaleString() : ''),
});
const count = (header: string, key: string): Column => ({
  header,
  value: (row) => text(typeof row[key] === 'object' && row[key] !== null ? Object.keys(row[key] as object).length : row[key]),
});

export const ImagesScreen = () => (
  <ResourceScreen
    title="Images"
    queryKey="images"
    method="images.list"
    columns={[
      { header: 'Repository:Tag', value: (row) => (Array.isArray(row.repoTags) && row.repoTags.length ? row.repoTags.join(', ') : '<none>') },
      shortId('ID'),
      { header: 'Size', value: (row) => formatBytes(row.size) },
      count('Containers', 'containers'),
      when('Created', 'created'),
    ]}
    empty="No images yet. Pull one with Pull image… or fd pull busybox."
    actions={<PullDialogButton />}
    rowActions={(row) => <RunDialogButton image={Array.isArray(row.repoTags) && row.repoTags.length ? String(row.repoTags[0]) : text(row.id)} />}
  />
);
export const NetworksScreen = () => (
  <ResourceScreen
    title="Networks"
    queryKey="networks"
    method="networks.list"
    columns={[field('Name', 'name'), shortId('ID'), field('Driver', 'driver'), field('Subnet', 'subnet'), field('Gateway', 'gateway'), count('Containers', 'containers')]}
    empty="No networks yet. Create one with fd network create backend."
  />
);
