// Networks: bridge networks through netavark + aardvark-dns, with the engine's own IPAM.
import { z } from 'zod';
import { call } from './kit';

export const NetworkEndpoint = z.object({
  name: z.string(),
  ip: z.string(),
  mac: z.string(),
  aliases: z.array(z.string()),
});

export const NetworkInfo = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.enum(['bridge', 'host', 'null']),
  scope: z.literal('local'),
  /** Unix time in milliseconds. */
  created: z.number().int(),
  internal: z.boolean(),
  dnsEnabled: z.boolean(),
  /** The Linux bridge device, null for host/none. */
  bridge: z.string().nullable(),
  subnet: z.string().nullable(),
  gateway: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  /** Running containers on it, by container id. */
  containers: z.record(z.string(), NetworkEndpoint),
});
export type NetworkInfo = z.infer<typeof NetworkInfo>;

const NetworkName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a network name starts with a letter or digit and has only letters, digits, _ . -')
  .max(128);

export const NetworkCreateInput = z
  .object({
    name: NetworkName,
    driver: z.literal('bridge').default('bridge'),
    subnet: z.string().optional(),
    gateway: z.string().optional(),
    /** No route out of the network (no masquerade). */
    internal: z.boolean().default(false),
    /** Name resolution between containers (aardvark-dns). */
    dns: z.boolean().default(true),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const NetworkFilters = z
  .object({
    name: z.array(z.string()).optional(),
    id: z.array(z.string()).optional(),
    driver: z.array(z.string()).optional(),
    /** `key` or `key=value`. */
    label: z.array(z.string()).optional(),
  })
  .strict();

const Ref = z.object({ id: z.string().min(1) }).strict();
const Ok = z.object({}).strict();

export const networksContract = {
  'networks.create': call('Create a bridge network (a free private subnet unless given).', NetworkCreateInput, NetworkInfo),
  'networks.list': call('All networks, including bridge, host and none.', z.object({ filters: NetworkFilters.optional() }).strict().default({}), z.array(NetworkInfo)),
  'networks.inspect': call('One network by name, id or id prefix.', Ref, NetworkInfo),
  'networks.remove': call('Remove a network no container uses.', Ref, z.object({ id: z.string(), name: z.string() })),
  'networks.connect': call(
    'Connect a container to a network.',
    z.object({ network: z.string().min(1), container: z.string().min(1), aliases: z.array(z.string()).default([]), ip: z.string().optional() }).strict(),
    Ok,
  ),
  'networks.disconnect': call(
    'Disconnect a container from a network.',
    z.object({ network: z.string().min(1), container: z.string().min(1), force: z.boolean().default(false) }).strict(),
    Ok,
  ),
  'networks.prune': call(
    'Remove every user network no container uses.',
    z.object({ filters: z.object({ label: z.array(z.string()).optional() }).strict().optional() }).strict().default({}),
    z.object({ removed: z.array(z.string()) }),
  ),
};
