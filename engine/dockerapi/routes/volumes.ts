// `/volumes/*` (notes §3 P2): one contract call each, with moby's volume JSON.
import type { VolumeInfo } from '../../api/volumes';
import { EngineError } from '../../api/errors';
import type { Router } from '../router';
import { boolValue, checkFilterKeys, parseFilters, readJson, sendEmpty, sendJson } from '../http';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown) => Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));

function dockerVolume(v: VolumeInfo) {
  return {
    CreatedAt: new Date(v.created).toISOString().replace(/\.\d+Z$/, 'Z'),
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: v.scope,
  };
}

/** moby's volume filters: dangling is a boolean, the rest are lists. */
function volumeFilters(query: URLSearchParams, allowed: string[]) {
  const filters = parseFilters(query.get('filters'));
  checkFilterKeys(filters, allowed);
  const dangling = filters.get('dangling');
  return {
    ...(dangling?.length ? { dangling: boolValue(dangling[0]) } : {}),
    ...Object.fromEntries(['label', 'name', 'driver'].filter((k) => filters.get(k)?.length).map((k) => [k, filters.get(k)!])),
  };
}

export function volumeRoutes(router: Router) {
  router.add('GET', '/volumes', async ({ res, query, engine }) => {
    const list = await engine.call('volumes.list', { filters: volumeFilters(query, ['dangling', 'label', 'name', 'driver']) });
    sendJson(res, 200, { Volumes: list.map(dockerVolume), Warnings: null });
  });

  router.add('POST', '/volumes/create', async ({ req, res, engine }) => {
    const body = obj(await readJson(req));
    const name = typeof body.Name === 'string' && body.Name ? body.Name : undefined;
    const driver = typeof body.Driver === 'string' && body.Driver ? body.Driver : 'local';
    const created = await engine.call('volumes.create', { ...(name ? { name } : {}), driver, options: strings(body.DriverOpts), labels: strings(body.Labels) });
    sendJson(res, 201, dockerVolume(created));
  });

  router.add('POST', '/volumes/prune', async ({ res, query, engine }) => {
    const filters = parseFilters(query.get('filters'));
    checkFilterKeys(filters, ['label', 'all']);
    const label = filters.get('label');
    // API 1.42+: only anonymous volumes unless all=true, as `docker volume prune [-a]`.
    const all = filters.get('all')?.some((v) => boolValue(v)) ?? false;
    const r = await engine.call('volumes.prune', { all, filters: label?.length ? { label } : {} });
    sendJson(res, 200, { VolumesDeleted: r.removed, SpaceReclaimed: r.spaceReclaimed });
  });

  router.add('GET', '/volumes/{name}', async ({ res, params, engine }) => {
    sendJson(res, 200, dockerVolume(await engine.call('volumes.inspect', { name: params.name! })));
  });

  router.add('DELETE', '/volumes/{name}', async ({ res, params, query, engine }) => {
    await engine.call('volumes.remove', { name: params.name!, force: boolValue(query.get('force')) });
    sendEmpty(res, 204);
  });

  router.add('PUT', '/volumes/{name}', () => {
    throw new EngineError('unsupported', 'updating volumes is only for cluster volumes, which this engine does not have');
  });
}
