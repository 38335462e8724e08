// `docker save` / `docker load`: GET /images/get?names=…, GET /images/{name}/get and POST /images/load, mapped
// onto images.save (a stream of tar chunks) and images.loadUpload + images.load (progress as moby's JSON
// messages, "Loaded image: NAME" in `stream` as the CLI prints it). Registered before the 501 catch-alls.
import crypto from 'node:crypto';
import { EngineError } from '../../api/errors';
import type { LoadProgress } from '../../api/images';
import type { RequestContext, Router } from '../router';
import { boolValue } from '../http';
import { sendTarChunks, startStream, uploadBody, writeChunk } from '../streaming';

async function sendArchive(ctx: RequestContext, refs: string[]) {
  if (!refs.length) throw new EngineError('invalid', 'names is required: the images to save');
  // An unknown image is still a 404: sendTarChunks waits for the first chunk before the headers.
  await sendTarChunks(ctx.res, ctx.engine.stream('images.save', { refs }, { signal: ctx.signal }));
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
  await uploadBody(ctx.req, (data) => ctx.engine.call('images.loadUpload', { uploadId, data }));
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
