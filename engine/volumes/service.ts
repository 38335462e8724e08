// The volumes service: contract handlers over the VolumeManager, which it registers as `ctx.volumes` for the
// container lifecycle (engine/containers/mounts.ts). Start reconciles what a crash left behind.
import type { EngineApi } from '../api/contract';
import type { EngineContext, Service } from '../context';
import { VolumeManager } from './manager';

type VolumeHandlers = Pick<EngineApi, 'volumes.create' | 'volumes.list' | 'volumes.inspect' | 'volumes.remove' | 'volumes.prune'>;

export function createVolumesService(ctx: EngineContext): Service<VolumeHandlers> & { manager: VolumeManager } {
  const manager = new VolumeManager(ctx);
  ctx.volumes = manager;
  ctx.counters.volumes = () => manager.repo.count();

  return {
    manager,
    handlers: {
      'volumes.create': async (input) => manager.create(input),
      'volumes.list': async (input) => manager.list(input.filters, input.usage),
      'volumes.inspect': async (input) => manager.inspect(input.name),
      'volumes.remove': async (input) => (manager.remove(input.name, input.force), {}),
      'volumes.prune': async (input) => manager.prune(input.all, input.filters.label),
    },
    async start() {
      manager.reconcile();
    },
  };
}
