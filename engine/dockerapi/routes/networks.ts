// `/networks/*` (notes §3 P2): one contract call each, with moby's network JSON.
import type { NetworkInfo } from '../../api/networks';
import { EngineError } from '../../api/errors';
import type { Router } from '../router';
import { checkFilterKeys, parseFilters, readJson, sendEmpty, sendJson } from '../http';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const prefixLength = (subnet: string | null) => (subnet && subnet.includes('/') ? subnet.split('/')[1] : '32');

function dockerNetwork(n: NetworkInfo) {
  return {
    Name: n.name,
    Id: n.id,
    Created: new Date(n.created).toISOString(),
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] : [] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      Object.entries(n.containers).map(([id, e]) => [id, { Name: e.name, EndpointID: '', MacAddress: e.mac, IPv4Address: e.ip ? `${e.ip}/${prefixLength(n.subnet)}` : '', IPv6Address: '' }]),
    ),
    // compose compares Options with its own config ({}): reporting the bridge name would force a recreate.
    Options: {},
    Labels: n.labels,
  };
}

export function networkRoutes(router: Router) {
  router.add('GET', '/networks', async ({ res, query, engine }) => {
    const filters = parseFilters(query.get('filters'));
    checkFilterKeys(filters, ['name', 'id', 'driver', 'label']);
    const f = Object.fromEntries([...filters].filter(([, v]) => v.length));
    sendJson(res, 200, (await engine.call('networks.list', { filters: f })).map(dockerNetwork));
  });

  router.add('POST', '/networks/create', async ({ req, res, engine }) => {
    const body = obj(await readJson(req));
    if (typeof body.Name !== 'string' || !body.Name) throw new EngineError('invalid', 'network name is required');
    const driver = typeof body.Driver === 'string' && body.Driver ? body.Driver : 'bridge';
    if (driver !== 'bridge') throw new EngineError('unsupported', `network driver "${driver}" is not supported: only bridge networks can be created`);
    if (body.EnableIPv6 === true) throw new EngineError('unsupported', 'IPv6 networks are not supported by this engine yet');
    const ipam = obj(body.IPAM);
    const configs = Array.isArray(ipam.Config) ? ipam.Config.map(obj) : [];
    if (configs.length > 1) throw new EngineError('unsupported', 'a network takes one IPAM config (one subnet) here');
    const c = configs[0] ?? {};
    const created = await engine.call('networks.create', {
      name: body.Name,
      ...(typeof c.Subnet === 'string' && c.Subnet ? { subnet: c.Subnet } : {}),
      ...(typeof c.Gateway === 'string' && c.Gateway ? { gateway: c.Gateway } : {}),
      internal: body.Internal === true,
      labels: Object.fromEntries(Object.entries(obj(body.Labels)).map(([k, v]) => [k, String(v)])),
    });
    sendJson(res, 201, { Id: created.id, Warning: '' });
  });

  router.add('POST', '/networks/prune', async ({ res, query, engine }) => {
    const filters = parseFilters(query.get('filters'));
    checkFilterKeys(filters, ['label']);
    const label = filters.get('label');
    const r = await engine.call('networks.prune', label?.length ? { filters: { label } } : {});
    sendJson(res, 200, { NetworksDeleted: r.removed });
  });

  router.add('GET', '/networks/{id}', async ({ res, params, engine }) => {
    sendJson(res, 200, dockerNetwork(await engine.call('networks.inspect', { id: params.id! })));
  });

  router.add('DELETE', '/networks/{id}', async ({ res, params, engine }) => {
    await engine.call('networks.remove', { id: params.id! });
    sendEmpty(res, 204);
  });

  router.add('POST', '/networks/{id}/connect', async ({ req, res, params, engine }) => {
    const body = obj(await readJson(req));
    if (typeof body.Container !== 'string' || !body.Container) throw new EngineError('invalid', 'Container is required');
    const endpoint = obj(body.EndpointConfig);
    const ip = obj(endpoint.IPAMConfig).IPv4Address;
    await engine.call('networks.connect', {
      network: params.id!,
      container: body.Container,
      aliases: Array.isArray(endpoint.Aliases) ? endpoint.Aliases.map(String) : [],
      ...(typeof ip === 'string' && ip ? { ip } : {}),
    });
    sendEmpty(res, 200);
  });

  router.add('POST', '/networks/{id}/disconnect', async ({ req, res, params, engine }) => {
    const body = obj(await readJson(req));
    if (typeof body.Container !== 'string' || !body.Container) throw new EngineError('invalid', 'Container is required');
    await engine.call('networks.disconnect', { network: params.id!, container: body.Container, force: body.Force === true });
    sendEmpty(res, 200);
  });
}
