import os from 'node:os';
import type { EngineApi } from '../api/contract';
import type { EngineContext, EngineCounts, Service } from '../context';
import { CONTRACT_VERSION, ENGINE_VERSION } from '../version';
import { findTools } from './tools';
import { hostFacts } from './host-facts';
import { isRootless } from '../rootless/mode';

type SystemHandlers = Pick<EngineApi, 'system.ping' | 'system.version' | 'system.info'>;

export function createSystemService(ctx: EngineContext): Service<SystemHandlers> {
  const count = (key: keyof EngineCounts) => ctx.counters[key]?.() ?? 0;
  return {
    handlers: {
      'system.ping': async () => 'ok' as const,
      'system.version': async () => ({
        version: ENGINE_VERSION,
        apiVersion: CONTRACT_VERSION,
        node: process.versions.node,
        os: process.platform,
        arch: process.arch,
        kernel: os.release(),
      }),
      'system.info': async () => {
        const tools = findTools();
        const runtimeName = tools.runc ? 'runc' : tools.crun ? 'crun' : 'runc';
        const warnings: string[] = [];
        for (const needed of ['runc', 'conmon'] as const) {
          if (!tools[needed]) warnings.push(`${needed} not found: install the Debian package "${needed}" to run containers`);
        }
        for (const needed of ['netavark', 'aardvark-dns'] as const) {
          if (!tools[needed]) warnings.push(`${needed} not found: install the Debian package "${needed}" for container networks`);
        }
        return {
          version: ENGINE_VERSION,
          root: ctx.paths.root,
          pid: process.pid,
          startedAt: ctx.startedAt,
          engineSocket: ctx.paths.engineSocket,
          dockerSocket: ctx.dockerSocket,
          dockerHost: ctx.dockerSocket ? `unix://${ctx.dockerSocket}` : null,
          rootless: isRootless(),
          runtime: { name: runtimeName, path: tools[runtimeName] ?? null, version: null },
          tools,
          counts: {
            containers: count('containers'),
            running: count('running'),
            paused: count('paused'),
            stopped: count('stopped'),
            images: count('images'),
            volumes: count('volumes'),
            networks: count('networks'),
            events: ctx.events.count(),
          },
          host: hostFacts(),
          warnings,
        };
      },
    },
  };
}
