// The distribution (OCI registry) API, client side: Bearer token and Basic auth driven by WWW-Authenticate,
// tokens cached per scope, manifests by Accept of Docker v2 + OCI types (digest computed, never trusted),
// blobs as streams with Range resume, redirects followed without carrying Authorization to another origin.
import crypto from 'node:crypto';
import { EngineError, notFound, unavailable } from '../api/errors';
import type { Credentials } from './credentials';
import { isLoopbackHost, registryApiHost, type ImageRef } from './reference';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');
const MAX_REDIRECTS = 5;
const MAX_MANIFEST_BYTES = 4 << 20;

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Every challenge of a WWW-Authenticate value (RFC 7235 §4.1). fetch joins repeated headers with ", ", so one
 * value may hold `Bearer realm="a",service="b", Basic realm="c"`: a token not followed by `=` starts a new
 * challenge, `name=value` (quoted values may hold commas and backslash escapes) belongs to the current one.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const token = /[A-Za-z0-9_.+~-]+/y;
  let i = 0;
  while (i < header.length) {
    token.lastIndex = i;
    const t = token.exec(header);
    if (!t) {
      i++; // separators and garbage between tokens
      continue;
    }
    i = token.lastIndex;
    while (header[i] === ' ' || header[i] === '\t') i++;
    if (header[i] !== '=') {
      out.push({ scheme: t[0].toLowerCase(), params: {} });
      continue;
    }
    i++;
    while (header[i] === ' ' || header[i] === '\t') i++;
    let value = '';
    if (header[i] === '"') {
      for (i++; i < header.length && header[i] !== '"'; i++) value += header[i] === '\\' && i + 1 < header.length ? header[++i] : header[i];
      i++;
    } else {
      while (i < header.length && !/[\s,]/.test(header[i]!)) value += header[i++];
    }
    const current = out[out.length - 1];
    const name = t[0].toLowerCase();
    if (current && name !== '__proto__') current.params[name] = value;
  }
  return out;
}

/** The challenge to answer: Bearer when offered (the registry token flow), else the first one. */
export function parseChallenge(header: string): Challenge | null {
  const all = parseChallenges(header);
  return all.find((c) => c.scheme === 'bearer') ?? all[0] ?? null;
}

export interface RegistryClientOptions {
  /** Registries (host[:port]) allowed over plain HTTP besides loopback; read on every request. */
  insecure?: () => string[];
  credentials(domain: string): Promise<Credentials | null>;
  userAgent?: string;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  data: Buffer;
  json: Record<string, unknown>;
}

interface CachedToken {
  header: string;
  expires: number;
}

const unauthorized = (message: string) => new EngineError('unauthorized', message);

/** The client id docker sends with OAuth2 token requests is "docker"; ours names this engine. */
export const OAUTH_CLIENT_ID = 'flying-dutchman';

export class RegistryClient {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflightTokens = new Map<string, Promise<CachedToken>>();
  /** Counts requests per kind; tests and `fd system df` diagnostics read it. */
  readonly stats = { blobRequests: new Map<string, number>(), tokenFetches: 0 };

  constructor(private readonly options: RegistryClientOptions) {}

  baseUrl(domain: string): string {
    const host = registryApiHost(domain);
    const insecure = this.options.insecure?.() ?? [];
    const plain = isLoopbackHost(host) || insecure.includes(domain) || insecure.includes(host);
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  /** Fetch following redirects by hand so Authorization never leaves the registry's origin. */
  private async send(url: string, init: { method?: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    let current = new URL(url);
    const origin = current.origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { ...init.headers, 'user-agent': this.options.userAgent ?? 'flying-dutchman' };
      if (current.origin !== origin) delete headers.authorization;
      let res: Response;
      try {
        res = await fetch(current, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual', signal: init.signal });
      } catch (err) {
        if (init.signal?.aborted) throw new EngineError('cancelled', 'pull cancelled');
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw unavailable(`cannot reach registry ${current.host}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        const next = new URL(res.headers.get('location')!, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw unavailable(`registry redirected to unsupported URL ${next.protocol}`);
        current = next;
        continue;
      }
      return res;
    }
    throw unavailable(`too many redirects from ${url}`);
  }

  private async token(domain: string, challenge: Challenge, scope: string | undefined, creds: Credentials | null, signal?: AbortSignal): Promise<CachedToken> {
    if (challenge.scheme === 'basic') {
      if (!creds) throw unauthorized(`${domain} requires a login: run "fd login ${domain}"`);
      return { header: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`, expires: Infinity };
    }
    const realm = challenge.params.realm;
    if (challenge.scheme !== 'bearer' || !realm) throw unauthorized(`${domain} asked for unsupported authentication "${challenge.scheme}"`);
    const url = new URL(realm);
    const scopes = (scope ?? challenge.params.scope ?? '').split(' ').filter(Boolean);
    if (url.protocol === 'http:' && !isLoopbackHost(url.host) && !(this.options.insecure?.() ?? []).includes(url.host)) {
      throw unavailable(`token server ${url.host} of ${domain} is plain HTTP: list it under registries.insecure to allow that`);
    }
    this.stats.tokenFetches++;
    let res: Response | null = null;
    if (creds?.identityToken) {
      // Docker's OAuth2 flow for identity tokens (credential helpers, Docker Hub SSO): POST a refresh_token grant.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: OAUTH_CLIENT_ID });
      if (challenge.params.service) form.set('service', challenge.params.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.send(url.toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), signal });
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw unauthorized(`the identity token stored for ${domain} was refused: run "fd login ${domain}" again`);
      }
      // A token server without the OAuth2 endpoint answers 404: fall back to the GET flow, as docker does.
      if (res.status === 404) {
        await res.body?.cancel();
        res = null;
      }
    }
    if (!res) {
      if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds && (creds.username || creds.password)) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      res = await this.send(url.toString(), { headers, signal });
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw unauthorized(creds ? `login to ${domain} failed: wrong username or password (run "fd login ${domain}")` : `${domain} refused anonymous access: run "fd login ${domain}"`);
    }
    if (!res.ok) throw unavailable(`token server of ${domain} answered HTTP ${res.status}`);
    const body = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.access_token ?? body.token;
    if (!token) throw unavailable(`token server of ${domain} sent no token`);
    return { header: `Bearer ${token}`, expires: Date.now() + Math.max(30, (body.expires_in ?? 60) - 10) * 1000 };
  }

  private async authFor(domain: string, challenge: Challenge, scope: string | undefined, signal?: AbortSignal): Promise<CachedToken> {
    const key = `${domain}|${scope ?? ''}`;
    const inflight = this.inflightTokens.get(key);
    if (inflight) return inflight;
    const p = (async () => {
      const creds = await this.options.credentials(domain);
      const t = await this.token(domain, challenge, scope, creds, signal);
      this.tokens.set(key, t);
      return t;
    })().finally(() => this.inflightTokens.delete(key));
    this.inflightTokens.set(key, p);
    return p;
  }

  /** A registry request with auth: cached credentials first, one challenge round on 401. */
  async request(domain: string, scope: string | undefined, path: string, init: { method?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const key = `${domain}|${scope ?? ''}`;
    const url = `${this.baseUrl(domain)}${path}`;
    const cached = this.tokens.get(key);
    const headers: Record<string, string> = { ...init.headers };
    if (cached && cached.expires > Date.now()) headers.authorization = cached.header;
    let res = await this.send(url, { ...init, headers });
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    await res.body?.cancel();
    if (!challenge) throw unauthorized(`${domain} refused the request without saying how to authenticate`);
    this.tokens.delete(key);
    const auth = await this.authFor(domain, challenge, scope, init.signal);
    res = await this.send(url, { ...init, headers: { ...init.headers, authorization: auth.header } });
    return res;
  }

  /** Drops cached tokens of a registry (after a login or logout changed its credentials). */
  forget(domain: string) {
    for (const key of [...this.tokens.keys()]) if (key.startsWith(`${domain}|`)) this.tokens.delete(key);
  }

  /** Checks credentials against the registry without storing anything (fd login). */
  async checkLogin(domain: string, creds: Credentials): Promise<void> {
    const res = await this.send(`${this.baseUrl(domain)}/v2/`, { headers: {} });
    await res.body?.cancel();
    if (res.ok) return;
    if (res.status !== 401) throw unavailable(`${domain} is not a registry: GET /v2/ answered HTTP ${res.status}`);
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    if (!challenge) throw unauthorized(`${domain} refused the login without saying how to authenticate`);
    const auth = await this.token(domain, challenge, undefined, creds);
    const again = await this.send(`${this.baseUrl(domain)}/v2/`, { headers: { authorization: auth.header } });
    await again.body?.cancel();
    if (again.status === 401 || again.status === 403) throw unauthorized(`login to ${domain} failed: wrong username or password`);
  }

  async getManifest(ref: ImageRef, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const scope = `repository:${ref.path}:pull`;
    const res = await this.request(ref.domain, scope, `/v2/${ref.path}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, signal });
    const name = `${ref.domain}/${ref.path}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw unauthorized(`pull access denied for ${ref.domain}/${ref.path}: the repository does not exist or needs "fd login ${ref.domain}"`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw notFound(`manifest for ${name} not found: manifest unknown`);
    }
    if (!res.ok) {
      const text = await res.text();
      throw unavailable(`registry ${ref.domain} answered HTTP ${res.status} for ${name}: ${text.slice(0, 200)}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_MANIFEST_BYTES) throw unavailable(`manifest for ${name} is too large (${length} bytes)`);
    const data = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) throw unavailable(`manifest for ${name} does not match its digest (got ${digest})`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      throw unavailable(`manifest for ${name} is not JSON`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw unavailable(`manifest for ${name} is not a JSON object`);
    const json = parsed as Record<string, unknown>;
    const mediaType = (json.mediaType as string | undefined) ?? res.headers.get('content-type')?.split(';')[0] ?? '';
    if (mediaType === MEDIA.dockerSchema1 || json.schemaVersion === 1) throw new EngineError('unsupported', `${name} uses Docker schema 1 manifests, which are not supported`);
    return { digest, mediaType: mediaType || (Array.isArray(json.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest), data, json };
  }

  /** A blob as a stream from `offset`; `restarted` says the registry ignored the Range and sent it all. */
  async getBlob(ref: ImageRef, digest: string, offset = 0, signal?: AbortSignal): Promise<{ body: ReadableStream<Uint8Array>; restarted: boolean; length: number | null }> {
    this.stats.blobRequests.set(digest, (this.stats.blobRequests.get(digest) ?? 0) + 1);
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const res = await this.request(ref.domain, `repository:${ref.path}:pull`, `/v2/${ref.path}/blobs/${digest}`, { headers, signal });
    if (res.status === 401 || res.status === 403) throw unauthorized(`pull access denied for blob ${digest} of ${ref.domain}/${ref.path}`);
    if (res.status === 404) throw notFound(`blob ${digest} of ${ref.domain}/${ref.path} not found in the registry`);
    if (res.status === 416 && offset > 0) return this.getBlob(ref, digest, 0, signal).then((r) => ({ ...r, restarted: true }));
    if (!res.ok || !res.body) throw unavailable(`registry ${ref.domain} answered HTTP ${res.status} for blob ${digest}`);
    const len = res.headers.get('content-length');
    return { body: res.body, restarted: offset > 0 && res.status !== 206, length: len === null ? null : Number(len) };
  }
}
