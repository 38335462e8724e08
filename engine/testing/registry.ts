// A real Debian `docker-registry` (distribution 2.8) on 127.0.0.1 for tests, with optional auth:
// - `auth: 'basic'`: htpasswd (bcrypt hashes made by python3's crypt module, which Debian's libxcrypt backs);
// - `auth: 'token'`: the registry's own JWT token auth, with a tiny token issuer written here that signs
//   RS256 tokens with a throwaway self-signed certificate (x5c header) the registry trusts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  /** Users for basic/token auth. */
  users?: Record<string, string>;
  /** Token auth: anonymous callers get pull tokens (like Docker Hub public repos). */
  anonymousPull?: boolean;
  /** Token auth: OAuth2 refresh tokens (docker's `identitytoken`) the issuer accepts on POST, each for a user. */
  identityTokens?: Record<string, string>;
  /** Token auth: false makes POST to the token endpoint answer 404 (a server without OAuth2), so clients fall back to GET. */
  oauthPost?: boolean;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, usable as a reference domain. */
  host: string;
  url: string;
  dir: string;
  /** Authorization header value that may push/pull `repo` (undefined when no auth). */
  pushAuth(repo: string): Promise<string | undefined>;
  /** Requests the token issuer answered, with the scope asked for and whether it granted. */
  tokenRequests: { scope: string; user: string | null; granted: boolean; method?: string; clientId?: string }[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function bcrypt(password: string): string {
  const r = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys;print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))', password], { encoding: 'utf8' });
  const hash = r.stdout.trim();
  if (r.status !== 0 || !hash.startsWith('$2')) throw new Error(`cannot make a bcrypt hash with python3: ${r.stderr}`);
  return hash;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

class TokenIssuer {
  readonly key: crypto.KeyObject;
  readonly certDer: Buffer;
  constructor(readonly certPem: string, keyPem: string, readonly service: string, readonly issuer: string) {
    this.key = crypto.createPrivateKey(keyPem);
    this.certDer = Buffer.from(new crypto.X509Certificate(certPem).raw);
  }

  sign(subject: string, access: { type: string; name: string; actions: string[] }[]): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [this.certDer.toString('base64')] };
    const claims = { iss: this.issuer, sub: subject, aud: this.service, exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), this.key))}`;
  }
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | null {
  const m = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
  return m ? { type: m[1]!, name: m[2]!, actions: m[3]!.split(',') } : null;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const users = options.users ?? {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  let tokenServer: http.Server | null = null;
  let issuer: TokenIssuer | null = null;
  let authYaml = '';

  if (auth === 'basic') {
    const lines = Object.entries(users).map(([u, p]) => `${u}:${bcrypt(p)}`);
    fs.writeFileSync(path.join(dir, 'htpasswd'), lines.join('\n') + '\n');
    authYaml = `auth:\n  htpasswd:\n    realm: fd-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    const keyFile = path.join(dir, 'token.key');
    const certFile = path.join(dir, 'token.crt');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=fd-test-token'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    issuer = new TokenIssuer(fs.readFileSync(certFile, 'utf8'), fs.readFileSync(keyFile, 'utf8'), 'fd-test-registry', 'fd-test-issuer');
    const tokenPort = await freePort();
    const theIssuer = issuer;
    const grant = (res: http.ServerResponse, scopes: string[], user: string | null, extra: { method?: string; clientId?: string }) => {
      const access = scopes
        .map(parseScope)
        .filter((s) => s !== null)
        .map((s) => ({ ...s, actions: user ? s.actions : options.anonymousPull ? s.actions.filter((a) => a === 'pull') : [] }));
      tokenRequests.push({ scope: scopes.join(' '), user, granted: access.some((a) => a.actions.length > 0), ...extra });
      const token = issuer!.sign(user ?? '', access);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: 300, scope: scopes.join(' ') }));
    };
    /** POST: the OAuth2 form flow docker uses for identity tokens (grant_type=refresh_token). */
    const oauth = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (options.oauthPost === false) {
        tokenRequests.push({ scope: '', user: null, granted: false, method: 'POST' });
        res.writeHead(404).end('404 page not found');
        return;
      }
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const user = form.get('grant_type') === 'refresh_token' ? options.identityTokens?.[form.get('refresh_token') ?? ''] : undefined;
        const extra = { method: 'POST', clientId: form.get('client_id') ?? '' };
        if (!user) {
          tokenRequests.push({ scope: scopes.join(' '), user: null, granted: false, ...extra });
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        grant(res, scopes, user, extra);
      });
    };
    tokenServer = http.createServer((req, res) => {
      if (req.method === 'POST') return oauth(req, res);
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${tokenPort}`);
      let user: string | null = null;
      const header = req.headers.authorization;
      if (header?.startsWith('Basic ')) {
        const [u, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':');
        if (users[u!] === undefined || users[u!] !== rest.join(':')) {
          tokenRequests.push({ scope: url.searchParams.getAll('scope').join(' '), user: u ?? null, granted: false });
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
          return;
        }
        user = u!;
      }
      const access = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .map(parseScope)
        .filter((s) => s !== null)
        .map((s) => ({ ...s, actions: user ? s.actions : options.anonymousPull ? s.actions.filter((a) => a === 'pull') : [] }));
      tokenRequests.push({ scope: url.searchParams.getAll('scope').join(' '), user, granted: access.some((a) => a.actions.length > 0) });
      const token = theIssuer.sign(user ?? '', access);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => tokenServer!.listen(tokenPort, '127.0.0.1', resolve));
    authYaml = `auth:\n  token:\n    realm: http://127.0.0.1:${tokenPort}/token\n    service: fd-test-registry\n    issuer: fd-test-issuer\n    rootcertbundle: ${certFile}\n`;
  }

  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: ${host}
  secret: fd-test-secret
${authYaml}`;
  fs.writeFileSync(path.join(dir, 'config.yml'), config);
  const stderrFile = path.join(dir, 'registry.log');
  const out = fs.openSync(stderrFile, 'a');
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));

  const url = `http://${host}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry exited: ${fs.readFileSync(stderrFile, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const [firstUser, firstPassword] = Object.entries(users)[0] ?? [];
  return {
    host,
    url,
    dir,
    tokenRequests,
    async pushAuth(repo) {
      if (auth === 'basic') return `Basic ${Buffer.from(`${firstUser}:${firstPassword}`).toString('base64')}`;
      if (auth === 'token') return `Bearer ${issuer!.sign(firstUser ?? 'pusher', [{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}`;
      return undefined;
    },
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      if (tokenServer) await new Promise((r) => tokenServer!.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProxyOptions {
  /** Rewrites a blob body before it is sent (to corrupt it). */
  mutateBlob?(digest: string, body: Buffer): Buffer;
  /** Cuts the connection after this many bytes of the first response for a blob (once per digest). */
  dropBlobAfter?(digest: string): number | undefined;
  /** Sends this many bytes of a blob, then nothing more, keeping the connection open (a hung download). */
  stallBlobAfter?(digest: string): number | undefined;
  /** Answers blob GETs with a 307 to this URL (another origin, like a CDN). */
  redirectBlob?(digest: string): string | undefined;
}

export interface TestProxy {
  url: string;
  host: string;
  /** Requests seen: method, path and Range header. */
  requests: { method: string; path: string; range?: string }[];
  stop(): Promise<void>;
}

/** A loopback HTTP proxy in front of a registry that can corrupt or cut blob downloads. */
export async function startFaultProxy(targetUrl: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const requests: TestProxy['requests'] = [];
  const dropped = new Set<string>();
  const server = http.createServer(async (req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', ...(req.headers.range ? { range: req.headers.range } : {}) });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
    const redirectTo = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
    const location = redirectTo && req.method === 'GET' ? options.redirectBlob?.(redirectTo) : undefined;
    if (location) {
      res.writeHead(307, { location }).end();
      return;
    }
    try {
      const upstream = await fetch(`${targetUrl}${req.url}`, { method: req.method, headers, redirect: 'manual' });
      let body: Buffer = Buffer.from(await upstream.arrayBuffer());
      const blob = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
      if (blob && req.method === 'GET' && upstream.ok && options.mutateBlob) body = options.mutateBlob(blob, body);
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) out[k] = v;
      });
      out['content-length'] = String(body.length);
      const cut = blob && req.method === 'GET' && !dropped.has(blob) ? options.dropBlobAfter?.(blob) : undefined;
      res.writeHead(upstream.status, out);
      const stall = blob && req.method === 'GET' ? options.stallBlobAfter?.(blob) : undefined;
      if (stall !== undefined && stall < body.length) {
        res.write(body.subarray(0, stall));
        return;
      }
      if (cut !== undefined && cut < body.length) {
        dropped.add(blob!);
        res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.end(body);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
