// `/images/*`, `/system/df`, `/auth` (notes §3 P1, §6.3): contract calls, with the pull progress rewritten as
// moby's JSON message stream.
import type { ImageInspect, ImageSummary, PullProgress } from '../../api/images';
import { EngineError, toErrorShape } from '../../api/errors';
import { familiarName, parseReference } from '../../images/reference';
import type { Router } from '../router';
import { boolValue, parseFilters, readJson, sendJson } from '../http';
import { startStream, writeChunk } from '../streaming';

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);
const unixSeconds = (ms: number) => Math.floor(ms / 1000);
const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : '0001-01-01T00:00:00Z');

/** `fromImage` + `tag` as the clients split them, joined back into one reference. */
export function pullReference(fromImage: string, tag: string | null): string {
  if (!tag) return fromImage;
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

function dockerImageSummary(i: ImageSummary) {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.repoTags.length ? i.repoTags : ['<none>:<none>'],
    RepoDigests: i.repoDigests.length ? i.repoDigests : ['<none>@<none>'],
    Created: unixSeconds(i.created),
    Size: i.size,
    SharedSize: -1,
    Labels: null,
    Containers: i.containers,
  };
}

function dockerImageInspect(i: ImageInspect) {
  const config = { Env: null, Cmd: null, Entrypoint: null, WorkingDir: '', User: '', Labels: null, Volumes: null, ...i.config };
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Parent: '',
    Comment: '',
    Created: iso(i.created),
    // compose 1.29 reads ContainerConfig.Volumes on recreate; moby sends it below API 1.45 (notes §5).
    ContainerConfig: { Volumes: null },
    DockerVersion: '',
    Author: '',
    Config: config,
    Architecture: i.architecture,
    ...(i.variant ? { Variant: i.variant } : {}),
    Os: i.os,
    Size: i.size,
    GraphDriver: { Name: 'overlay2', Data: null },
    RootFS: { Type: 'layers', Layers: i.rootfs.layers },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

const phaseStatus: Record<string, string> = {
  waiting: 'Pulling fs layer',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
  exists: 'Already exists',
};

function progressBar(current: number, total: number): string {
  if (total <= 0) return '';
  const width = 50;
  const filled = Math.min(width, Math.floor((current / total) * width));
  const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
  return `[${bar}] ${current}B/${total}B`;
}

/** One pull progress item → moby's jsonmessage lines (`\r\n`-terminated, as its stream formatter writes). */
function pullMessages(p: PullProgress, ref: string): object[] {
  if (p.type === 'layer') {
    const id = short(p.layer);
    const status = phaseStatus[p.phase] ?? p.phase;
    if (p.phase === 'downloading' || p.phase === 'extracting') {
      return [{ status, progressDetail: { current: p.current, total: p.total }, progress: progressBar(p.current, p.total), id }];
    }
    return [{ status, progressDetail: {}, id }];
  }
  const name = familiarName(parseReference(ref));
  return [{ status: `Digest: ${p.digest}` }, { status: p.downloaded ? `Status: Downloaded newer image for ${name}` : `Status: Image is up to date for ${name}` }];
}

const line = (message: object) => `${JSON.stringify(message)}\r\n`;

/**
 * X-Registry-Auth: base64url JSON of docker's AuthConfig (`e30=` = `{}`, anonymous). Credentials in it are for
 * this pull only; without any, the engine's stored login applies.
 */
export function registryAuth(header: string | string[] | undefined): { username: string; password: string; identitytoken?: string } | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) return undefined;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new EngineError('invalid', 'X-Registry-Auth is not base64url-encoded JSON');
  }
  const field = (k: string) => (typeof config?.[k] === 'string' ? (config[k] as string) : '');
  let username = field('username');
  let password = field('password');
  if (!username && field('auth')) {
    const plain = Buffer.from(field('auth'), 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) [username, password] = [plain.slice(0, colon), plain.slice(colon + 1)];
  }
  const identitytoken = field('identitytoken');
  if (identitytoken) return { username, password, identitytoken };
  return username || password ? { username, password } : undefined;
}

export function imageRoutes(router: Router) {
  router.add('GET', '/images/json', async ({ res, query, engine }) => {
    const filters: string[] = [];
    for (const [key, values] of parseFilters(query.get('filters'))) {
      if (key !== 'dangling' && key !== 'reference' && key !== 'label') throw new EngineError('invalid', `invalid filter '${key}'`);
      for (const v of values) filters.push(`${key}=${v}`);
    }
    const list = await engine.call('images.list', { all: true, filters });
    sendJson(res, 200, list.map(dockerImageSummary));
  });

  router.add('POST', '/images/create', async ({ req, res, query, engine, signal }) => {
    const fromImage = query.get('fromImage');
    if (!fromImage) {
      if (query.get('fromSrc')) throw new EngineError('unsupported', 'importing an image from a tarball (fromSrc) is not supported by this engine');
      throw new EngineError('invalid', 'fromImage is required');
    }
    const ref = pullReference(fromImage, query.get('tag'));
    const platform = query.get('platform') || undefined;
    const auth = registryAuth(req.headers['x-registry-auth']);
    const progress = engine.stream('images.pull', { ref, ...(platform ? { platform } : {}), ...(auth ? { auth } : {}) });
    const iterator = progress[Symbol.asyncIterator]();
    // Before anything is sent, a failure is an ordinary HTTP error (404 for an unknown repository).
    let first: IteratorResult<PullProgress>;
    try {
      first = await iterator.next();
    } catch (err) {
      // moby answers a refused pull as "pull access denied" (not found), not 401: on a 401 the CLI stops to
      // prompt for a login in the middle of the pull.
      const shape = toErrorShape(err);
      if (shape.code === 'unauthorized') throw new EngineError('not_found', `pull access denied for ${fromImage}, repository does not exist or may require 'docker login': ${shape.message}`);
      throw err;
    }
    startStream(res, 'application/json');
    const parsed = parseReference(ref);
    const pulling = parsed.digest ? parsed.digest : parsed.tag ?? 'latest';
    const fromPath = parsed.path;
    if (!(await writeChunk(res, line({ status: `Pulling from ${fromPath}`, id: pulling })))) return;
    try {
      let next = first;
      while (!next.done && !signal.aborted) {
        for (const m of pullMessages(next.value, ref)) if (!(await writeChunk(res, line(m)))) return;
        next = await iterator.next();
      }
    } catch (err) {
      // After the 200 the clients read errors only from `errorDetail` (notes §6.3).
      const message = (err as Error).message;
      if (!signal.aborted) await writeChunk(res, line({ errorDetail: { message }, error: message }));
    } finally {
      await iterator.return?.();
    }
    if (!signal.aborted) res.end();
  });

  router.add('POST', '/images/prune', async ({ res, query, engine }) => {
    const filters = parseFilters(query.get('filters'));
    const dangling = filters.get('dangling');
    const all = dangling?.length ? !dangling.some((v) => boolValue(v)) : false;
    const r = await engine.call('images.prune', { all });
    sendJson(res, 200, { ImagesDeleted: r.deleted.map((d) => ({ Deleted: d })), SpaceReclaimed: r.spaceReclaimed });
  });

  router.add('GET', '/images/{name:.+}/json', async ({ res, params, engine }) => {
    sendJson(res, 200, dockerImageInspect(await engine.call('images.inspect', { ref: params.name! })));
  });

  router.add('POST', '/images/{name:.+}/tag', async ({ res, params, query, engine }) => {
    const repo = query.get('repo');
    if (!repo) throw new EngineError('invalid', 'repo is required');
    const tag = query.get('tag');
    await engine.call('images.tag', { source: params.name!, target: tag ? `${repo}:${tag}` : repo });
    res.writeHead(201);
    res.end();
  });

  router.add('DELETE', '/images/{name:.+}', async ({ res, params, query, engine }) => {
    const r = await engine.call('images.remove', { ref: params.name!, force: boolValue(query.get('force')) });
    sendJson(res, 200, [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))]);
  });

  router.add('GET', '/system/df', async ({ res, engine }) => {
    const df = await engine.call('system.df', {});
    const containers = await engine.call('containers.list', { all: true });
    sendJson(res, 200, {
      LayersSize: df.layers,
      Images: df.list.map((i) => ({ ...dockerImageSummary(i), SharedSize: i.size - i.uniqueSize })),
      Containers: containers.map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: c.image, Command: c.command, Created: unixSeconds(c.created), State: c.state, Status: c.status, SizeRw: 0, SizeRootFs: 0, Labels: c.labels, Mounts: [] })),
      Volumes: [],
      BuildCache: [],
    });
  });

  router.add('POST', '/auth', async ({ req, res, engine }) => {
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (!body || typeof body.username !== 'string') throw new EngineError('invalid', 'username is required');
    const server = typeof body.serveraddress === 'string' && body.serveraddress ? body.serveraddress : undefined;
    const r = await engine.call('auth.login', { username: body.username, password: typeof body.password === 'string' ? body.password : '', ...(server ? { server } : {}) });
    sendJson(res, 200, { Status: r.status, IdentityToken: '' });
  });
}
