// Contract handlers for container filesystem access (engine/api/container-files.ts) over ContainerFiles.
import type { EngineApi } from '../api/contract';
import type { ContainerFileMethod } from '../api/container-files';
import { MAX_UPLOAD_CHUNK } from '../api/container-files';
import { EngineError } from '../api/errors';
import type { EngineContext, Service } from '../context';
import type { ContainerManager } from './manager';
import { ContainerFiles } from './files';
import { Uploads } from './files-upload';

export type ContainerFileHandlers = Pick<EngineApi, ContainerFileMethod>;

/** Tar bytes per stream item: with the default window of 64 items, at most 8 MiB in flight per stream. */
const ITEM_BYTES = 128 * 1024;

async function* coalesce(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= size) {
      yield Buffer.concat(parts);
      parts = [];
      n = 0;
    }
  }
  if (n) yield Buffer.concat(parts);
}

export function createContainerFilesService(ctx: EngineContext, manager: ContainerManager): Service<ContainerFileHandlers> & { files: ContainerFiles } {
  const files = new ContainerFiles(ctx, manager);
  const uploads = new Uploads();
  return {
    files,
    async start() {
      await files.thawLeftovers();
    },
    async stop() {
      uploads.closeAll();
    },
    handlers: {
      'containers.stat': ({ id, path }) => files.stat(id, path),
      'containers.listDir': ({ id, path }) => files.listDir(id, path),
      'containers.readFile': ({ id, path, offset, length }) => files.readFile(id, path, offset, length),
      'containers.archiveGet': ({ id, path }) =>
        (async function* () {
          for await (const chunk of coalesce(files.archive(id, path), ITEM_BYTES)) yield { data: chunk.toString('base64') };
        })(),
      'containers.archivePut': async (input) => {
        const data = Buffer.from(input.data, 'base64');
        if (data.length > MAX_UPLOAD_CHUNK) throw new EngineError('invalid', `an upload chunk may carry at most ${MAX_UPLOAD_CHUNK} bytes`);
        const rec = manager.find(input.id);
        return uploads.feed(input.uploadId, { id: rec.id, path: input.path }, data, input.eof, (source) =>
          files.extract(rec.id, input.path, source, { noOverwriteDirNonDir: input.noOverwriteDirNonDir, copyUIDGID: input.copyUIDGID }),
        );
      },
      'containers.diff': async ({ id }) => files.diff(id),
      'containers.hostPath': async ({ id }) => files.hostPath(id),
    },
  };
}
