// images.save / images.loadUpload / images.load: the image archive handlers over the images service's store.
// An upload is appended chunk by chunk to a file under ROOT/tmp (the engine holds one chunk at a time), so
// a multi-GB archive never sits in memory; images.load then reads it by offset and removes it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { EngineApi } from '../api/contract';
import { EngineError, invalid, notFound } from '../api/errors';
import { MAX_LOAD_CHUNK, type LoadProgress } from '../api/images';
import type { EngineContext, Service } from '../context';
import { isNoSpace, noSpaceError } from './disk-full';
import { loadArchive, type LoadDeps } from './load';
import { saveArchive, type SaveTarget } from './save';
import { parseReference, type ImageRef } from './reference';
import type { ImagesService } from './service';
import { emitting } from './emitting';

type ArchiveHandlers = Pick<EngineApi, 'images.save' | 'images.loadUpload' | 'images.load'>;

/** An upload nobody appended to or loaded for this long is removed. */
const UPLOAD_IDLE_MS = 10 * 60_000;
const SAVE_CHUNK = 512 * 1024;
const UPLOAD_PREFIX = 'image-upload-';

interface Upload {
  file: string;
  bytes: number;
  busy: boolean;
  timer: NodeJS.Timeout;
}

export function createImageArchiveService(ctx: EngineContext, images: ImagesService): Service<ArchiveHandlers> {
  const uploads = new Map<string, Upload>();
  const { meta, content } = images.store;

  /** A repository named without a tag saves every tag it has, as `docker save busybox` does; else null. */
  const repositoryTags = (input: string): { id: string; ref: string }[] | null => {
    // parseReference fills in :latest, so the tag is looked for in the text (a registry port has a / after it).
    if (input.includes('@') || input.slice(input.lastIndexOf('/') + 1).includes(':')) return null;
    let wanted: ImageRef;
    try {
      wanted = parseReference(input);
    } catch {
      return null; // an image id or prefix: images.lookup handles it
    }
    const found = meta
      .listImages()
      .flatMap((image) => meta.refsOf(image.id, 'tag').map((ref) => ({ id: image.id, ref })))
      .filter(({ ref }) => {
        const r = parseReference(ref);
        return r.domain === wanted.domain && r.path === wanted.path;
      });
    return found.length ? found : null;
  };

  const drop = async (id: string) => {
    const u = uploads.get(id);
    if (!u) return;
    clearTimeout(u.timer);
    uploads.delete(id);
    await fsp.rm(u.file, { force: true });
  };

  const deps: LoadDeps = {
    meta,
    content,
    snapshotsDir: images.store.snapshotsDir,
    snapshotDir: (chainId) => images.store.snapshotDir(chainId),
    lease: (keys, delta) => images.store.lease(keys, delta),
    event: (action, id, attributes = {}) => ctx.events.append({ type: 'image', action, actor: { id, attributes } }),
  };

  return {
    async start() {
      // Uploads of an engine that stopped are never loaded now.
      await fsp.mkdir(ctx.paths.tmp, { recursive: true });
      for (const name of await fsp.readdir(ctx.paths.tmp)) {
        if (name.startsWith(UPLOAD_PREFIX)) await fsp.rm(path.join(ctx.paths.tmp, name), { force: true });
      }
    },
    async stop() {
      for (const id of [...uploads.keys()]) await drop(id);
    },
    handlers: {
      'images.save': async function* ({ refs }, { signal }) {
        const targets = new Map<string, SaveTarget>();
        for (const r of refs) {
          for (const found of repositoryTags(r) ?? [images.lookup(r)]) {
            const t = targets.get(found.id) ?? { id: found.id, refs: [] };
            if (found.ref && !t.refs.includes(found.ref)) t.refs.push(found.ref);
            targets.set(found.id, t);
          }
        }
        let pending: Buffer[] = [];
        let n = 0;
        for await (const chunk of saveArchive([...targets.values()], meta, content, signal)) {
          pending.push(chunk);
          n += chunk.length;
          if (n >= SAVE_CHUNK) {
            yield { data: Buffer.concat(pending).toString('base64') };
            pending = [];
            n = 0;
          }
        }
        if (n) yield { data: Buffer.concat(pending).toString('base64') };
      },
      'images.loadUpload': async ({ uploadId, data }) => {
        const chunk = Buffer.from(data, 'base64');
        if (chunk.length > MAX_LOAD_CHUNK) throw invalid(`an upload chunk may hold at most ${MAX_LOAD_CHUNK} bytes (got ${chunk.length})`);
        let u = uploads.get(uploadId);
        if (!u) {
          const file = path.join(ctx.paths.tmp, `${UPLOAD_PREFIX}${uploadId}.tar`);
          u = { file, bytes: 0, busy: false, timer: setTimeout(() => void drop(uploadId), UPLOAD_IDLE_MS) };
          u.timer.unref();
          uploads.set(uploadId, u);
          await fsp.writeFile(file, Buffer.alloc(0), { mode: 0o600 });
        }
        if (u.busy) throw invalid(`upload ${uploadId} is already being loaded`);
        u.timer.refresh();
        try {
          if (chunk.length) await fsp.appendFile(u.file, chunk);
        } catch (err) {
          await drop(uploadId);
          if (isNoSpace(err)) throw await noSpaceError(ctx.paths.root, 'receiving an image archive');
          throw err;
        }
        u.bytes += chunk.length;
        return { bytes: u.bytes };
      },
      'images.load': async function* ({ uploadId }, { signal }) {
        const u = uploads.get(uploadId);
        if (!u || !fs.existsSync(u.file)) throw notFound(`No such upload: ${uploadId} (send the archive with images.loadUpload first)`);
        if (u.busy) throw invalid(`upload ${uploadId} is already being loaded`);
        u.busy = true;
        clearTimeout(u.timer);
        yield* emitting<LoadProgress>(
          async (emit) => {
            try {
              await loadArchive(u.file, deps, emit, signal);
            } catch (err) {
              if (isNoSpace(err)) throw await noSpaceError(ctx.paths.root, 'loading an image archive');
              if (err instanceof EngineError) throw err;
              throw invalid(`cannot load the archive: ${(err as Error).message}`);
            } finally {
              await drop(uploadId);
            }
          },
          (last, next) => last.type === 'layer' && next.type === 'layer' && last.layer === next.layer && last.phase === next.phase,
        );
      },
    },
  };
}
