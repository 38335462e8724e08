// Registry JSON checked before the puller acts on it: manifests, indexes and image configs exactly as a
// registry sent them. Unknown fields pass (the OCI specs allow extensions); the fields the engine reads must
// have the shape it relies on, so a broken or hostile registry gets a clean error naming the document instead
// of a TypeError deep in the pull or a malformed config in the store.
import { z } from 'zod';
import { EngineError } from '../api/errors';

const Digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected a sha256 digest');

export const Descriptor = z.looseObject({
  mediaType: z.string(),
  digest: Digest,
  size: z.number().int().nonnegative(),
});

export const ImageManifest = z.looseObject({
  schemaVersion: z.literal(2).optional(),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
});

export const ImageIndex = z.looseObject({
  schemaVersion: z.literal(2).optional(),
  mediaType: z.string().optional(),
  manifests: z.array(
    Descriptor.extend({
      platform: z.looseObject({ os: z.string(), architecture: z.string(), variant: z.string().optional(), 'os.version': z.string().optional() }).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

/** Docker writes null for unset lists and maps; the engine treats null as unset. */
const strings = z.array(z.string()).nullish();
const stringMap = z.record(z.string(), z.string()).nullish();
const set = z.record(z.string(), z.unknown()).nullish();

export const ImageConfig = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  rootfs: z.looseObject({ type: z.string().optional(), diff_ids: z.array(Digest) }),
  config: z
    .looseObject({
      Env: strings,
      Cmd: strings,
      Entrypoint: strings,
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
      ExposedPorts: set,
      Volumes: set,
      Labels: stringMap,
      StopSignal: z.string().nullish(),
    })
    .nullish(),
});

export type ImageManifest = z.output<typeof ImageManifest>;
export type ImageIndex = z.output<typeof ImageIndex>;
export type ImageConfig = z.output<typeof ImageConfig>;

function check<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the document';
  throw new EngineError('unavailable', `${what} is malformed: ${where}: ${issue.message}; the registry sent an invalid document`);
}

/** An image manifest (Docker v2 schema 2 or OCI); `what` names it in errors (e.g. `manifest for reg/app:1`). */
export const checkManifest = (json: unknown, what: string): ImageManifest => check(ImageManifest, json, what);
export const checkIndex = (json: unknown, what: string): ImageIndex => check(ImageIndex, json, what);

/** An image config blob's bytes (already digest-verified) → its JSON, checked. */
export function checkImageConfig(data: Buffer, what: string): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new EngineError('unavailable', `${what} is not JSON; the registry sent an invalid document`);
  }
  return check(ImageConfig, json, what);
}
