import { z } from 'zod';
import { call } from './kit';

export const VersionInfo = z.object({
  version: z.string(),
  apiVersion: z.string(),
  node: z.string(),
  os: z.string(),
  arch: z.string(),
  kernel: z.string(),
});
export type VersionInfo = z.infer<typeof VersionInfo>;

export const RuntimeInfo = z.object({
  name: z.string(),
  path: z.string().nullable(),
  version: z.string().nullable(),
});

export const HostInfo = z.object({
  hostname: z.string(),
  operatingSystem: z.string(),
  kernel: z.string(),
  arch: z.string(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  cgroupVersion: z.enum(['1', '2']),
});

export const EngineInfo = z.object({
  version: z.string(),
  root: z.string(),
  pid: z.number().int(),
  startedAt: z.number().int(),
  engineSocket: z.string(),
  dockerSocket: z.string().nullable(),
  /** `DOCKER_HOST=unix://...` for pointing docker tools at this engine. */
  dockerHost: z.string().nullable(),
  rootless: z.boolean(),
  runtime: RuntimeInfo,
  /** Helper binaries the engine uses, with the path found or null when missing. */
  tools: z.record(z.string(), z.string().nullable()),
  counts: z.object({
    containers: z.number().int(),
    running: z.number().int(),
    paused: z.number().int(),
    stopped: z.number().int(),
    images: z.number().int(),
    volumes: z.number().int(),
    networks: z.number().int(),
    events: z.number().int(),
  }),
  host: HostInfo,
  warnings: z.array(z.string()),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

const Empty = z.object({}).strict().default({});

export const systemContract = {
  'system.ping': call('Liveness check; answers "ok".', Empty, z.literal('ok')),
  'system.version': call('Engine and platform versions.', Empty, VersionInfo),
  'system.info': call('Engine root, sockets, runtime, counts and warnings.', Empty, EngineInfo),
};
