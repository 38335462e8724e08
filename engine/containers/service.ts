// The containers service: contract handlers over the ContainerManager, plus the engine start/stop hooks and
// the `fd info` counters.
import { isUtf8 } from 'node:buffer';
import type { EngineApi } from '../api/contract';
import type { ContainerFileMethod } from '../api/container-files';
import type { LogLine } from '../api/containers';
import type { EngineContext, Service } from '../context';
import { readLogs } from '../logs';
import { ContainerManager } from './manager';
import { containerLayout } from './layout';
import { ExecManager } from './exec';
import { containerStats } from './stats';
import { containerTop } from './top';
import { HealthMonitor } from './health';
import { attachOutput, writeContainerStdin, resizeContainer } from './attach';

// Filesystem access (files-service.ts) is its own service.
type ContainerMethods = Exclude<Extract<keyof EngineApi, `containers.${string}` | `exec.${string}`>, ContainerFileMethod>;
export type ContainerHandlers = Pick<EngineApi, ContainerMethods>;

export function createContainersService(ctx: EngineContext): Service<ContainerHandlers> & { manager: ContainerManager } {
  const manager = new ContainerManager(ctx);
  const execs = new ExecManager(ctx, manager);
  const health = new HealthMonitor(ctx, manager, execs);
  manager.health = health;
  const counts = () => manager.counts();
  ctx.counters.containers = () => counts().containers;
  ctx.counters.running = () => counts().running;
  ctx.counters.paused = () => counts().paused;
  ctx.counters.stopped = () => counts().stopped;
  const ok = {};

  return {
    manager,
    async start() {
      await manager.reconcile();
      health.resume();
    },
    async stop() {
      health.shutdown();
      execs.shutdown();
      await manager.shutdown();
    },
    handlers: {
      'containers.create': (input) => manager.create(input),
      'containers.start': async ({ id }) => (await manager.start(id), ok),
      'containers.stop': async ({ id, timeout }) => (await manager.stop(id, timeout), ok),
      'containers.kill': async ({ id, signal }) => (await manager.kill(id, signal), ok),
      'containers.restart': async ({ id, timeout }) => (await manager.restart(id, timeout), ok),
      'containers.remove': async ({ id, force, volumes }) => (await manager.remove(id, force, volumes), ok),
      'containers.list': async ({ all, filters, last, size }) => manager.list(all, filters, { last, size }),
      'containers.inspect': async ({ id }) => manager.inspect(id),
      'containers.wait': async ({ id, condition }, { signal }) => ({ exitCode: await manager.wait(id, condition, signal) }),
      'containers.pause': async ({ id }) => (await manager.pause(id), ok),
      'containers.unpause': async ({ id }) => (await manager.unpause(id), ok),
      'containers.logs': (input, { signal }) => {
        const rec = manager.find(input.id);
        const logPath = containerLayout(ctx.paths, rec.id).logPath;
        return (async function* () {
          const entries = readLogs(logPath, {
            tail: input.tail,
            since: input.since,
            until: input.until,
            follow: input.follow,
            signal,
            isRunning: () => manager.isRunning(rec.id),
          });
          for await (const e of entries) {
            if ((e.stream === 'stdout' && !input.stdout) || (e.stream === 'stderr' && !input.stderr)) continue;
            // One plain object per line, no spreads: this runs for every line of a followed log.
            const line: LogLine = { stream: e.stream, time: e.timeNano, line: e.line };
            if (!isUtf8(e.data)) line.data = e.data.toString('base64');
            if (e.partial) line.partial = true;
            yield line;
          }
        })();
      },
      'containers.attach': (input, { signal }) => attachOutput(ctx, manager, input, signal),
      'containers.write': async ({ id, data, eof }) => (writeContainerStdin(manager, id, data, eof), ok),
      'containers.resize': async ({ id, height, width }) => (resizeContainer(ctx, manager, id, height, width), ok),
      'containers.rename': async ({ id, name }) => (await manager.rename(id, name), ok),
      'containers.stats': (input, { signal }) => containerStats(manager, input, signal),
      'containers.top': async ({ id, psArgs }) => {
        const rec = manager.find(id);
        return containerTop(rec.name, rec.state.status, rec.state.pid, psArgs);
      },
      'exec.create': async (input) => ({ id: execs.create(input) }),
      'exec.start': ({ id }, { signal }) => execs.start(id, signal),
      'exec.startDetached': async ({ id }) => (await execs.startDetached(id), ok),
      'exec.write': async ({ id, data, eof }) => (execs.write(id, data, eof), ok),
      'exec.resize': async ({ id, height, width }) => (execs.resize(id, height, width), ok),
      'exec.inspect': async ({ id }) => execs.inspect(id),
    },
  };
}
