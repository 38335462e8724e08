// `docker cp` and `docker diff` endpoints (notes/docker-api.md): HEAD/GET/PUT /containers/{id}/archive and
// GET /containers/{id}/changes, mapped onto containers.stat/archiveGet/archivePut/diff. The path's stat
// travels in X-Docker-Container-Path-Stat (base64 JSON) with a Go os.FileMode, built without bitwise ops
// because the directory bit is bit 31 (notes §2.10).
import crypto from 'node:crypto';
import type { FileStat } from '../api/container-files';
import { EngineError } from '../api/errors';
import type { RequestContext, Router } from './router';
import { boolValue, sendJson } from './http';
import { sendTarChunks, uploadBody } from './streaming';

const GO_MODE: Record<FileStat['type'], number> = {
  file: 0,
  directory: 2 ** 31,
  symlink: 2 ** 27,
  fifo: 2 ** 25,
  socket: 2 ** 24,
  'char-device': 2 ** 26 + 2 ** 21,
  'block-device': 2 ** 26,
};

/** Go's os.FileMode for a stat: permission bits, setuid/setgid/sticky at Go's positions, the type bit. */
export function goFileMode(stat: Pick<FileStat, 'type' | 'mode'>): number {
  let mode = stat.mode & 0o777;
  if (stat.mode & 0o4000) mode += 2 ** 23;
  if (stat.mode & 0o2000) mode += 2 ** 22;
  if (stat.mode & 0o1000) mode += 2 ** 20;
  return mode + GO_MODE[stat.type];
}

export function pathStatHeader(stat: FileStat): string {
  const json = { name: stat.name, size: stat.size, mode: goFileMode(stat), mtime: new Date(stat.mtime).toISOString(), linkTarget: stat.linkTarget ?? '' };
  return Buffer.from(JSON.stringify(json)).toString('base64');
}

function pathParam(ctx: RequestContext): string {
  const p = ctx.query.get('path');
  if (!p) throw new EngineError('invalid', 'bad parameter: path cannot be empty');
  return p;
}

async function headArchive(ctx: RequestContext) {
  const stat = await ctx.engine.call('containers.stat', { id: ctx.params.id!, path: pathParam(ctx) });
  ctx.res.writeHead(200, { 'X-Docker-Container-Path-Stat': pathStatHeader(stat), 'Content-Type': 'application/x-tar' });
  ctx.res.end();
}

async function getArchive(ctx: RequestContext) {
  const id = ctx.params.id!;
  const p = pathParam(ctx);
  const stat = await ctx.engine.call('containers.stat', { id, path: p });
  const items = ctx.engine.stream('containers.archiveGet', { id, path: p }, { signal: ctx.signal });
  await sendTarChunks(ctx.res, items, { 'X-Docker-Container-Path-Stat': pathStatHeader(stat) });
}

async function putArchive(ctx: RequestContext) {
  const id = ctx.params.id!;
  const base = {
    id,
    path: pathParam(ctx),
    uploadId: crypto.randomUUID(),
    noOverwriteDirNonDir: boolValue(ctx.query.get('noOverwriteDirNonDir')),
    copyUIDGID: boolValue(ctx.query.get('copyUIDGID')),
  };
  await uploadBody(ctx.req, (data) => ctx.engine.call('containers.archivePut', { ...base, data }));
  await ctx.engine.call('containers.archivePut', { ...base, eof: true });
  ctx.res.writeHead(200, { 'Content-Length': 0 });
  ctx.res.end();
}

const KIND = { C: 0, A: 1, D: 2 } as const;

async function getChanges(ctx: RequestContext) {
  const changes = await ctx.engine.call('containers.diff', { id: ctx.params.id! });
  sendJson(
    ctx.res,
    200,
    changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] })),
  );
}

/** Registered before the catch-all 501s for these paths (routes/unsupported.ts). */
export function archiveRoutes(router: Router) {
  router.add('HEAD', '/containers/{id}/archive', headArchive);
  router.add('GET', '/containers/{id}/archive', getArchive);
  router.add('PUT', '/containers/{id}/archive', putArchive);
  router.add('GET', '/containers/{id}/changes', getChanges);
}
