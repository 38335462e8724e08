// `docker save` / `docker load`: GET /images/get?names=…, GET /images/{name}/get and POST /images/load, mapped
// onto images.save (a stream of tar chunks) and images.loadUpload + images.load (progress as moby's JSON
// messages, "Loaded image: NAME" in `stream` as the CLI prints it). Registered before the 501 catch-alls.
import crypto from 'node:crypto';
import { EngineError } from '../../api/errors';
import type { LoadProgress } from '../../api/images';
import type { RequestContext, Router } from '../router';
import { boolValue } from '../http';
import { startStream, writeChunk } from '../streaming';

/** Bytes per images.loadUpload call while the request body streams in. */
const UPLOAD_CHUNK = 1024 * 1024;

async function sendArchive(ctx: RequestContext, refs: string[]) {
  if (!refs.length) throw new EngineError('invalid', 'names is required: the images to save');
  const items = ctx.engine.stream('images.save', { refs }, { signal: ctx.signal });
  const it = items[Symbol.asyncIterator]();
  // The first chunk before the headers: an unknown image is still a 404.
  let next = await it.next();
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    while (!next.done) {
      if (!(await writeChunk(ctx.res, Buffer.from(next.value.data, 'base64')))) return;
      next = await it.next();
    }
    ctx.res.end();
  } catch {
    // Too late for a status: cut the connection so the client sees a truncated tar, not a short valid one.
    ctx.res.destroy();
  } finally {
    await it.return?.();
  }
}

function loadMessage(p: LoadProgress): object | null {
  if (p.type === 'loaded') return { stream: p.name ? `Loaded image: ${p.name}\n` : `Loaded image ID: ${p.id}\n` };
  if (p.phase === 'extracting') {
    return { status: 'Loading layer', progressDetail: { current: p.current, total: p.total }, id: p.layer.replace(/^sha256:/, '').slice(0, 12) };
  }
  return null;
}

async function loadArchive(ctx: RequestContext) {
  const quiet = boolValue(ctx.query.get('quiet'));
  const uploadId = crypto.randomUUID();
  let parts: Buffer[] = [];
  let n = 0;
  const flush = async () => {
    if (!n) return;
    const data = Buffer.concat(parts, n).toString('base64');
    parts = [];
    n = 0;
    await ctx.engine.call('images.loadUpload', { uploadId, data });
  };
  for await (const chunk of ctx.req) {
    parts.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= UPLOAD_CHUNK) await flush();
  }
  await flush();
  // An empty body still creates the upload, so the load answers with the archive's own error.
  await ctx.engine.call('images.loadUpload', { uploadId, data: '' });
  const it = ctx.engine.stream('images.load', { uploadId }, { signal: ctx.signal })[Symbol.asyncIterator]();
  let next = await it.next();
  startStream(ctx.res, 'application/json');
  try {
    while (!next.done) {
      const m = loadMessage(next.value);
      if (m && (!quiet || next.value.type === 'loaded') && !(await writeChunk(ctx.res, `${JSON.stringify(m)}\n`))) return;
      next = await it.next();
    }
  } catch (err) {
    const message = (err as Error).message;
    if (!ctx.signal.aborted) await writeChunk(ctx.res, `${JSON.stringify({ errorDetail: { message }, error: message })}\n`);
  } finally {
    await it.return?.();
  }
  if (!ctx.signal.aborted) ctx.res.end();
}

export function imageArchiveRoutes(router: Router) {
  router.add('GET', '/images/get', (ctx) => sendArchive(ctx, ctx.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)));
  router.add('GET', '/images/{name:.+}/get', (ctx) => sendArchive(ctx, [ctx.params.name!]));
  router.add('POST', '/images/load', loadArchive);
}
