// The web host: the built renderer over HTTP and the contract over a WebSocket at /api, on loopback only
// unless explicitly asked, behind a random token. The page URL carries `?token=`; the page hands it on to the
// WebSocket URL; everything else needs the token (query) or the cookie set when the page was loaded with it.
import http from 'node:http';
import fs from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EngineApi } from '../api/contract';
import { EngineError } from '../api/errors';
import { MAX_FRAME_BYTES } from '../api/protocol';
import type { Logger } from '../context';
import { serveContractOnWebSocket } from '../transport/websocket';
import { defaultStaticDir, resolveStatic } from './static';
import { contentSecurityPolicy, isPage, newCspNonce, withStyleNonce } from './csp';
import { loadOrCreateToken, tokenMatches, writeWebUiState } from './token';

export interface WebUiOptions {
  root: string;
  api: EngineApi;
  log: Logger;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Serve on a non-loopback address (the token is then the only thing between the network and the engine). */
  allowRemote?: boolean;
  /** A fresh token instead of the one kept in ROOT/webui.json. */
  rotateToken?: boolean;
  /** Defaults to dist/renderer. */
  staticDir?: string | null;
}

export interface WebUiServer {
  /** The page URL, token included. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export const API_PATH = '/api';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1';
  return false;
}

/** Parses `[HOST:]PORT` (`7780`, `127.0.0.1:0`, `[::1]:7780`); the host defaults to 127.0.0.1. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new EngineError('invalid', `invalid web UI address "${value}": expected [HOST:]PORT, e.g. 127.0.0.1:7780`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export async function startWebUi(options: WebUiOptions): Promise<WebUiServer> {
  const { host, log } = options;
  if (!options.allowRemote && !isLoopbackHost(host)) {
    throw new EngineError(
      'forbidden',
      `refusing to serve the web UI on ${host}: it is not a loopback address. Use 127.0.0.1, or allow remote access explicitly (--ui-remote) if you trust the network`,
    );
  }
  const staticDir = options.staticDir === undefined ? defaultStaticDir() : options.staticDir;
  const token = loadOrCreateToken(options.root, options.rotateToken);
  let cookieName = 'fd_ui';

  /** Host header must name this server (defeats DNS rebinding); returns it normalised or null. */
  const checkHost = (hostHeader: string | undefined, port: number): string | null => {
    if (!hostHeader) return null;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
    if (!m || Number(m[2] ?? 80) !== port) return null;
    if (!options.allowRemote && !isLoopbackHost(m[1]!)) return null;
    return hostHeader;
  };

  const server = http.createServer((req, res) => {
    const port = (server.address() as net.AddressInfo).port;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const hostHeader = checkHost(req.headers.host, port);
    if (!hostHeader) return send(421, 'This server answers only to its own address.\n');
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    const queryToken = url.searchParams.get('token');
    const authorised = tokenMatches(token, queryToken) || tokenMatches(token, cookieValue(req.headers.cookie, cookieName));
    if (!authorised) {
      return send(401, 'The web UI needs its token: open the URL that `fd engine --ui` printed (it ends in ?token=...).\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Only GET and HEAD.\n', { Allow: 'GET, HEAD' });
    if (url.pathname === API_PATH) return send(426, 'Upgrade to a WebSocket.\n');
    if (!staticDir) return send(503, 'The web UI is not built: run `npm run build` (it writes dist/renderer).\n');
    const file = resolveStatic(staticDir, url.pathname);
    if (!file) return send(404, 'Not found.\n');
    // The page gets a fresh style nonce each load (see csp.ts); other files are sent as they are.
    const nonce = isPage(file.path) ? newCspNonce() : undefined;
    const page = nonce ? Buffer.from(withStyleNonce(fs.readFileSync(file.path, 'utf8'), nonce)) : null;
    const headers: Record<string, string> = {
      'Content-Type': file.type,
      'Content-Length': String(page ? page.length : file.size),
      'Content-Security-Policy': contentSecurityPolicy({ nonce, connectSrc: [`ws://${hostHeader}`] }),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Hashed assets never change; the page itself must not be cached with a token in its URL.
      'Cache-Control': url.pathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-store',
    };
    // The page was opened with the token: let its own assets load with a cookie only this origin sends.
    if (tokenMatches(token, queryToken)) headers['Set-Cookie'] = `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    if (page) return res.end(page);
    fs.createReadStream(file.path).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
  };
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const port = (server.address() as net.AddressInfo).port;
    const hostHeader = checkHost(req.headers.host, port);
    if (!hostHeader) return refuse(socket, 421, 'Misdirected Request');
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    if (url.pathname !== API_PATH) return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(token, url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized');
    // Browsers always send Origin: a page from anywhere else must not drive the engine even with the token.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader}`) {
      log.warn(`web host: refused a WebSocket from origin ${origin}`);
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveContractOnWebSocket(options.api, ws, log));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  cookieName = `fd_ui_${port}`; // cookies ignore ports: one name per web host on this machine
  const urlHost = net.isIPv6(host) ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/?token=${token}`;
  writeWebUiState(options.root, { token, url });
  if (!staticDir) log.warn('web host: dist/renderer is missing; run `npm run build` to get the UI');

  let closing: Promise<void> | null = null;
  return {
    url,
    token,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        writeWebUiState(options.root, { token, url: null });
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
