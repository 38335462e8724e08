// Volumes: named and anonymous local volumes (data under ROOT/volumes/NAME/_data, like docker's local driver).
import { z } from 'zod';
import { call } from './kit';

/** Docker's label on volumes the engine made for a container (`-v /path`, image VOLUME). */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';

export { VOLUME_NAME_PATTERN } from './schema-free';

export const VolumeInfo = z.object({
  name: z.string(),
  driver: z.literal('local'),
  /** The directory containers see: ROOT/volumes/NAME/_data. */
  mountpoint: z.string(),
  /** Unix time in milliseconds. */
  created: z.number().int(),
  labels: z.record(z.string(), z.string()),
  scope: z.literal('local'),
  options: z.record(z.string(), z.string()),
  /** Made by the engine for one container (no name given): `rm -v` and `volume prune` remove these. */
  anonymous: z.boolean(),
  /** Ids of the containers (running or not) that reference it. */
  containers: z.array(z.string()),
  /** Bytes its files take (docker's UsageData.Size); only when listed with `usage`. */
  size: z.number().int().optional(),
});
export type VolumeInfo = z.infer<typeof VolumeInfo>;

export const VolumeCreateInput = z
  .object({
    /** Omitted = an anonymous volume with a random 64-hex name. */
    name: z.string().optional(),
    driver: z.string().default('local'),
    /** Driver options; the local driver here takes none. */
    options: z.record(z.string(), z.string()).default({}),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const VolumeFilters = z
  .object({
    /** true: no container references it; false: some container does. */
    dangling: z.boolean().optional(),
    /** `key` or `key=value`; every entry must match. */
    label: z.array(z.string()).optional(),
    /** Substring of the name. */
    name: z.array(z.string()).optional(),
    driver: z.array(z.string()).optional(),
  })
  .strict();
export type VolumeFilters = z.infer<typeof VolumeFilters>;

const Ok = z.object({}).strict();

export const volumesContract = {
  'volumes.create': call(
    'Create a volume (local driver). Creating an existing name returns it unchanged, as docker does.',
    VolumeCreateInput,
    VolumeInfo,
  ),
  'volumes.list': call(
    'Volumes, by name; usage adds the size of each (walks every file: for df, not for lists).',
    z.object({ filters: VolumeFilters.default({}), usage: z.boolean().default(false) }).strict().default({ filters: {}, usage: false }),
    z.array(VolumeInfo),
  ),
  'volumes.inspect': call('One volume by name.', z.object({ name: z.string().min(1) }).strict(), VolumeInfo),
  'volumes.remove': call(
    'Remove a volume no container references; force only ignores a missing volume.',
    z.object({ name: z.string().min(1), force: z.boolean().default(false) }).strict(),
    Ok,
  ),
  'volumes.prune': call(
    'Remove unused volumes: anonymous ones only, unless all.',
    z
      .object({
        all: z.boolean().default(false),
        filters: z.object({ label: z.array(z.string()).optional() }).strict().default({}),
      })
      .strict()
      .default({ all: false, filters: {} }),
    z.object({ removed: z.array(z.string()), spaceReclaimed: z.number().int() }),
  ),
};
