// The networks service: contract handlers over the NetworkManager, which it registers as `ctx.networks` for
// the container lifecycle. Start = default network + reconcile of sandboxes left by containers that stopped.
import type { EngineApi } from '../api/contract';
import { conflict, notFound } from '../api/errors';
import type { EngineContext, Service } from '../context';
import { NetworkManager } from './manager';

type NetworkHandlers = Pick<
  EngineApi,
  'networks.create' | 'networks.list' | 'networks.inspect' | 'networks.remove' | 'networks.connect' | 'networks.disconnect' | 'networks.prune'
>;

export function createNetworkService(ctx: EngineContext): Service<NetworkHandlers> & { manager: NetworkManager } {
  const manager = new NetworkManager(ctx);
  ctx.networks = manager;
  ctx.counters.networks = () => manager.list().length;

  /** A running container from our sandboxes, else whatever the lifecycle knows (stopped containers). */
  const container = (ref: string): { id: string; name: string; running: boolean } => {
    const s = manager.findSandbox(ref);
    if (s) return { id: s.containerId, name: s.name, running: true };
    const found = manager.hooksSet?.resolve(ref);
    if (!found) throw notFound(`No such container: ${ref}`);
    return found;
  };

  return {
    manager,
    handlers: {
      'networks.create': (input) => manager.create(input),
      'networks.list': async (input) => manager.list(input.filters),
      'networks.inspect': async (input) => manager.inspect(input.id),
      'networks.remove': (input) => manager.remove(input.id),
      'networks.connect': async (input) => {
        const c = container(input.container);
        const attachment = { network: input.network, aliases: input.aliases, ip: input.ip };
        if (c.running && manager.repo.sandbox(c.id)) {
          await manager.connect(c.id, attachment);
        } else {
          const hooks = manager.hooksSet;
          if (!hooks?.connected) throw conflict(`container ${c.name} is not running: start it to connect it to a network`);
          const n = manager.find(input.network);
          hooks.connected(c.id, { ...attachment, network: n.name });
          ctx.events.append({ type: 'network', action: 'connect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: c.id } } });
        }
        return {};
      },
      'networks.disconnect': async (input) => {
        const c = container(input.container);
        if (c.running && manager.repo.sandbox(c.id)) {
          await manager.disconnect(c.id, input.network);
        } else {
          const hooks = manager.hooksSet;
          if (!hooks?.disconnected) throw conflict(`container ${c.name} is not running`);
          const n = manager.find(input.network);
          hooks.disconnected(c.id, { id: n.id, name: n.name });
          ctx.events.append({ type: 'network', action: 'disconnect', actor: { id: n.id, attributes: { name: n.name, type: 'bridge', container: c.id } } });
        }
        return {};
      },
      'networks.prune': async (input) => ({ removed: await manager.prune(input.filters?.label) }),
    },
    async start() {
      await manager.reconcile();
    },
  };
}
