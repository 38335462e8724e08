// Moving bytes between the page and a container: download a file (readFile in chunks) or a directory (the
// archiveGet tar stream), upload picked files as one tar (archivePut in chunks under one upload id).
import { MAX_READ_BYTES } from '../../engine/api/container-files';
import type { EngineConnection } from '../connection/connection';
import { fromBase64, toBase64 } from './base64';
import { baseName } from './paths';
import { buildTar } from './tar';

/** Bytes per archivePut call: well under the contract's cap, so one call stays a short message. */
const UPLOAD_CHUNK = 1024 * 1024;

export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A regular file as it is: read in chunks until the engine says eof. */
export async function fileBlob(connection: EngineConnection, id: string, path: string): Promise<Blob> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const r = await connection.call('containers.readFile', { id, path, offset, length: MAX_READ_BYTES });
    const bytes = fromBase64(r.data);
    parts.push(bytes);
    offset += bytes.length;
    if (r.eof || bytes.length === 0) break;
  }
  return new Blob(parts as BlobPart[], { type: 'application/octet-stream' });
}

/** A directory (or anything) as docker cp gives it: a tar whose top entry is the path's base name. */
export async function archiveBlob(connection: EngineConnection, id: string, path: string, signal?: AbortSignal): Promise<Blob> {
  const client = await connection.ready();
  if (signal?.aborted) throw new Error('cancelled');
  const parts: Uint8Array[] = [];
  for await (const chunk of client.stream('containers.archiveGet', { id, path }, signal ? { signal } : {})) parts.push(fromBase64(chunk.data));
  return new Blob(parts as BlobPart[], { type: 'application/x-tar' });
}

export async function download(connection: EngineConnection, id: string, path: string, type: string): Promise<string> {
  const name = path === '/' ? 'root' : baseName(path);
  if (type === 'file') {
    saveBlob(await fileBlob(connection, id, path), name);
    return name;
  }
  saveBlob(await archiveBlob(connection, id, path), `${name}.tar`);
  return `${name}.tar`;
}

/** Uploads `files` into directory `dir`; resolves with the number of entries the engine wrote. */
export async function upload(connection: EngineConnection, id: string, dir: string, files: readonly File[]): Promise<number> {
  const entries = await Promise.all(
    files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()), mtime: f.lastModified / 1000 })),
  );
  const tar = buildTar(entries);
  const uploadId = crypto.randomUUID();
  let written = 0;
  for (let at = 0; at < tar.length; at += UPLOAD_CHUNK) {
    const chunk = tar.subarray(at, at + UPLOAD_CHUNK);
    const eof = at + UPLOAD_CHUNK >= tar.length;
    const r = await connection.call('containers.archivePut', { id, path: dir, uploadId, data: toBase64(chunk), eof, noOverwriteDirNonDir: true, copyUIDGID: false });
    written = r.entries;
  }
  return written;
}
