// Images: pull (a stream of per-layer progress), list, inspect, remove, tag, prune; registry logins; disk use.
import { z } from 'zod';
import { call, stream } from './kit';

export const PullPhase = z.enum(['waiting', 'downloading', 'verifying', 'extracting', 'done', 'exists']);

/** One layer's progress, in a pull and in a load. */
const LayerProgress = z.object({
  type: z.literal('layer'),
  /** The layer's blob digest (for a docker-archive load, the uncompressed tar's). */
  layer: z.string(),
  phase: PullPhase,
  current: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});

export const PullProgress = z.discriminatedUnion('type', [
  LayerProgress,
  z.object({
    type: z.literal('resolved'),
    /** The normalised reference pulled. */
    ref: z.string(),
    /** Digest of what the reference names (index or manifest). */
    digest: z.string(),
    /** The image id (config digest). */
    id: z.string(),
    /** False when nothing new had to be downloaded. */
    downloaded: z.boolean(),
  }),
]);
export type PullProgress = z.infer<typeof PullProgress>;

export const ImagesPullInput = z
  .object({
    ref: z.string().min(1),
    /** `os/arch[/variant]`; defaults to the host's. */
    platform: z.string().optional(),
    /** Credentials for this pull only (Docker's X-Registry-Auth), used instead of any stored login. */
    auth: z
      .object({ username: z.string().default(''), password: z.string().default(''), identitytoken: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();

export const ImageSummary = z.object({
  id: z.string(),
  /** Familiar names: `busybox:latest`. */
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  created: z.number().int(),
  /** Unpacked size in bytes. */
  size: z.number().int(),
  /** Bytes only this image holds. */
  uniqueSize: z.number().int(),
  containers: z.number().int(),
  lastUsed: z.number().int(),
  platform: z.string(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImagesListInput = z
  .object({
    /** Include untagged images (they are listed as <none>). */
    all: z.boolean().default(true),
    /** `dangling=true|false`, `reference=PATTERN`, `label=KEY[=VALUE]`. */
    filters: z.array(z.string()).default([]),
  })
  .strict();

const RunConfig = z.object({
  Env: z.array(z.string()).optional(),
  Cmd: z.array(z.string()).optional(),
  Entrypoint: z.array(z.string()).optional(),
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  ExposedPorts: z.record(z.string(), z.unknown()).optional(),
  Volumes: z.record(z.string(), z.unknown()).optional(),
  Labels: z.record(z.string(), z.string()).optional(),
  StopSignal: z.string().optional(),
  Healthcheck: z.unknown().optional(),
}).loose();

export const ImageInspect = ImageSummary.extend({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  config: RunConfig,
  rootfs: z.object({ type: z.literal('layers'), layers: z.array(z.string()) }),
  /** Unpacked layer directories, topmost first. */
  layerDirs: z.array(z.string()),
  manifestDigest: z.string(),
});
export type ImageInspect = z.infer<typeof ImageInspect>;

const RefInput = z.object({ ref: z.string().min(1) }).strict();

export const ImagesRemoveInput = z
  .object({
    ref: z.string().min(1),
    /** Remove even when tagged several times or used by a container. */
    force: z.boolean().default(false),
  })
  .strict();

export const ImagesRemoveResult = z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) });

export const ImagesPruneInput = z
  .object({
    /** Every image no container uses, not only untagged ones. */
    all: z.boolean().default(false),
  })
  .strict();

export const PruneResult = z.object({ deleted: z.array(z.string()), spaceReclaimed: z.number().int() });

export const SystemDf = z.object({
  images: z.object({ count: z.number().int(), active: z.number().int(), size: z.number().int(), reclaimable: z.number().int() }),
  /** Bytes on disk: compressed blobs and unpacked layers. */
  blobs: z.number().int(),
  layers: z.number().int(),
  budget: z.object({ maxBytes: z.number().nullable(), maxAge: z.number().nullable() }),
  list: z.array(ImageSummary),
});

export const LoginInput = z
  .object({
    /** Registry host (`localhost:5000`); Docker Hub when omitted. */
    server: z.string().optional(),
    username: z.string().min(1),
    password: z.string(),
  })
  .strict();

/** Decoded bytes per images.loadUpload call at most. */
export const MAX_LOAD_CHUNK = 4 * 1024 * 1024;

export const LoadProgress = z.discriminatedUnion('type', [
  LayerProgress,
  z.object({
    type: z.literal('loaded'),
    /** The familiar name tagged (`busybox:latest`), or null for an image the archive names by id only. */
    name: z.string().nullable(),
    id: z.string(),
  }),
]);
export type LoadProgress = z.infer<typeof LoadProgress>;

const UploadId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'an upload id is 8 to 64 letters, digits or dashes');

export const imagesContract = {
  'images.pull': stream('Pull an image: per-layer progress, then one resolved item.', ImagesPullInput, PullProgress),
  'images.list': call('Local images, newest first.', ImagesListInput, z.array(ImageSummary)),
  'images.inspect': call('One image: config, layers, sizes.', RefInput, ImageInspect),
  'images.remove': call('Untag and delete an image (refused while a container uses it, unless force).', ImagesRemoveInput, ImagesRemoveResult),
  'images.tag': call('Give an image another name.', z.object({ source: z.string().min(1), target: z.string().min(1) }).strict(), z.object({ ref: z.string() })),
  'images.prune': call('Delete unused images: untagged ones, or every unused one with all.', ImagesPruneInput, PruneResult),
  'system.df': call('Disk use of images and the cache budget.', z.object({}).strict().default({}), SystemDf),
  'system.prune': call('Enforce the cache budget and remove unused images (all: every image no container uses).', ImagesPruneInput, PruneResult),
  'auth.login': call('Check credentials against a registry, then store them where docker keeps them.', LoginInput, z.object({ status: z.string() })),
  'images.save': stream(
    'A docker-archive tar (manifest.json, repositories, config and layer blobs; also a valid OCI layout) of one or more images, as base64 chunks.',
    z.object({ refs: z.array(z.string().min(1)).min(1, 'name at least one image to save') }).strict(),
    z.object({ data: z.string().describe('base64 tar bytes') }),
  ),
  'images.loadUpload': call(
    'Append one chunk of an image archive to an upload kept under ROOT/tmp (a new id starts one); then images.load it.',
    z.object({ uploadId: UploadId, data: z.string().default('').describe('base64 tar bytes') }).strict(),
    z.object({ bytes: z.number().int() }),
  ),
  'images.load': stream(
    'Load an uploaded docker-archive or OCI layout tar: diff ids verified, blobs stored, layers unpacked, tags set. Per-layer progress, then one item per loaded image.',
    z.object({ uploadId: UploadId }).strict(),
    LoadProgress,
  ),
  'auth.logout': call('Forget the stored credentials of a registry.', z.object({ server: z.string().optional() }).strict(), z.object({ removed: z.boolean() })),
};
