// The Docker Engine API socket (issue 7): an HTTP server on a unix socket that maps Docker's endpoints onto
// the EngineApi contract. Each request gets its own in-process link to the engine (engine-link.ts), closed
// when the response ends or the client goes away, so nothing a client started outlives its interest.
import fs from 'node:fs';
import http from 'node:http';
import { listenPrivate } from '../transport/unix';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { EngineApi } from '../api/contract';
import type { Logger } from '../context';
import { openEngineLink, type EngineLink } from './engine-link';
import { API_VERSION, MIN_API_VERSION, HttpError, commonHeaders, compareVersions, sendError, statusForError } from './http';
import { Router, splitVersion, type Match, type RequestContext } from './router';
import { writeUpgradeError } from './hijack';
import { systemRoutes } from './routes/system';
import { containerRoutes } from './routes/containers';
import { imageRoutes } from './routes/images';
import { networkRoutes } from './routes/networks';
import { statsRoutes } from './routes/stats';
import { topRoutes } from './routes/top';
import { volumeRoutes } from './routes/volumes';
import { unsupportedRoutes } from './routes/unsupported';
import { archiveRoutes } from './archive';
import { imageArchiveRoutes } from './routes/image-archive';

export interface DockerApiServer {
  path: string;
  /** Requests and hijacked connections being served now (tests watch streams release through this). */
  active(): number;
  close(): Promise<void>;
}

/** How long an idle keep-alive connection stays open: longer than the Go client's 30 s idle pool (notes §2.12). */
export const KEEP_ALIVE_MS = 65_000;

export function buildRouter(): Router {
  const router = new Router();
  systemRoutes(router);
  containerRoutes(router);
  statsRoutes(router);
  topRoutes(router);
  imageRoutes(router);
  networkRoutes(router);
  volumeRoutes(router);
  archiveRoutes(router);
  imageArchiveRoutes(router);
  unsupportedRoutes(router);
  return router;
}

function checkVersion(version: string | null): string {
  if (version === null) return API_VERSION;
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new HttpError(400, `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw new HttpError(400, `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  return version;
}

const pageNotFound = () => new HttpError(404, 'page not found');

/**
 * The one request path shared by plain requests and upgrades: route, check the API version, run the handler
 * with this request's engine link, and turn a failure into the transport's error answer (unless the client left).
 */
async function serve<H>(
  request: { req: http.IncomingMessage; signal: AbortSignal; link: EngineLink; log: Logger; what: string },
  find: (path: string) => Match<H> | null,
  run: (match: Match<H>, base: Omit<RequestContext, 'res'>) => Promise<void> | void,
  fail: (err: unknown) => void,
) {
  const { req, signal, link, log, what } = request;
  try {
    const url = new URL(req.url ?? '/', 'http://docker');
    const { version, path } = splitVersion(url.pathname);
    const match = find(path);
    if (!match) throw pageNotFound();
    await run(match, { req, params: match.params, query: url.searchParams, version: checkVersion(version), engine: link.client, signal });
  } catch (err) {
    if (signal.aborted) return;
    const { status, message } = statusForError(err);
    if (status >= 500) log.warn(`docker api: ${req.method} ${req.url}${what}: ${message}`);
    fail(err);
  }
}

export interface DockerApiOptions {
  api: EngineApi;
  path: string;
  log: Logger;
  router?: Router;
}

export async function startDockerApi(options: DockerApiOptions): Promise<DockerApiServer> {
  const { api, log } = options;
  const router = options.router ?? buildRouter();
  let active = 0;

  const server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS, requestTimeout: 0, headersTimeout: KEEP_ALIVE_MS + 1000 });
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    active++;
    const link = openEngineLink(api, log);
    const abort = new AbortController();
    // res 'close' fires when the response ended or the client went away; req 'close' fires early once the
    // body is read (notes §2.7), so it is not a disconnect signal.
    res.on('close', () => {
      active--;
      if (!res.writableFinished) abort.abort();
      link.close();
    });
    for (const [k, v] of Object.entries(commonHeaders())) res.setHeader(k, v);
    void serve(
      { req, signal: abort.signal, link, log, what: '' },
      (path) => router.match(req.method ?? 'GET', path),
      (match, base) => match.handler({ ...base, res }),
      (err) => sendError(res, err),
    );
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    active++;
    const link = openEngineLink(api, log);
    const abort = new AbortController();
    socket.on('error', () => undefined);
    socket.on('close', () => {
      active--;
      abort.abort();
      link.close();
    });
    void serve(
      { req, signal: abort.signal, link, log, what: ' (upgrade)' },
      (path) => router.matchUpgrade(req.method ?? 'GET', path),
      (match, base) => match.handler({ ...base, socket, head }),
      (err) => writeUpgradeError(socket, err),
    );
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const body = JSON.stringify({ message: `bad request: ${err.message}` });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  await listenPrivate(server, options.path, 0o660);
  return {
    path: options.path,
    active: () => active,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          fs.rmSync(options.path, { force: true });
          resolve();
        });
      }),
  };
}

