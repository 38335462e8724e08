// `GET /containers/{id}/top?ps_args=...` (docker top) onto containers.top, in moby's {Titles, Processes} shape.
import type { Router } from '../router';
import { sendJson } from '../http';

export function topRoutes(router: Router) {
  router.add('GET', '/containers/{id}/top', async ({ res, params, query, engine }) => {
    const top = await engine.call('containers.top', { id: params.id!, psArgs: query.get('ps_args') ?? '-ef' });
    sendJson(res, 200, { Titles: top.titles, Processes: top.processes });
  });
}
