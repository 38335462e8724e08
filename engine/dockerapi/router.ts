// Routing as moby does it (notes §1.5, §2.11): every route answers on the bare path and under any `/vX.Y`
// prefix; routes are tried in the order they were added, so fixed paths (`/containers/json`) are added before
// `{id}` ones; `{name:.*}` captures image names with `/` and `:` in them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EngineClient } from '../api/client';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (the prefix), or ours when the path was unversioned. */
  version: string;
  /** This request's own link to the engine; closed (and its calls aborted) when the client goes away. */
  engine: EngineClient;
  /** Aborted when the client goes away before the response has ended. */
  signal: AbortSignal;
}

export interface UpgradeContext {
  req: IncomingMessage;
  socket: Duplex;
  /** Bytes that arrived with the headers: the start of the body, and maybe of stdin after it. */
  head: Buffer;
  params: Record<string, string>;
  query: URLSearchParams;
  version: string;
  engine: EngineClient;
  /** Aborted when the connection closes. */
  signal: AbortSignal;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;
export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler?: RouteHandler;
  upgrade?: UpgradeHandler;
}

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{(\w+)(?::(.+))?\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? `(${m[2]})` : '([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), names };
}

export class Router {
  private readonly routes: Route[] = [];

  /** A plain request handler; `methods` may list several (`GET,HEAD`). */
  add(methods: string, path: string, handler: RouteHandler) {
    for (const method of methods.split(',')) this.routes.push({ method, ...compile(path), handler });
    return this;
  }

  /** A handler for requests Node delivers as upgrades (`Connection: Upgrade`, e.g. attach, exec start). */
  addUpgrade(method: string, path: string, upgrade: UpgradeHandler) {
    this.routes.push({ method, ...compile(path), upgrade });
    return this;
  }

  match(method: string, path: string): Match<RouteHandler> | null {
    return this.find(method, path, 'handler');
  }

  matchUpgrade(method: string, path: string): Match<UpgradeHandler> | null {
    return this.find(method, path, 'upgrade');
  }

  private find<K extends 'handler' | 'upgrade'>(method: string, path: string, kind: K): Match<NonNullable<Route[K]>> | null {
    for (const route of this.routes) {
      const handler = route[kind];
      if (!handler || route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = safeDecode(m[i + 1]!)));
      return { handler: handler as NonNullable<Route[K]>, params };
    }
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits `/v1.44/containers/json` into the version and the bare path; unversioned paths give null. */
export function splitVersion(pathname: string): { version: string | null; path: string } {
  const m = /^\/v([0-9.]+)(\/.*)$/.exec(pathname);
  return m ? { version: m[1]!, path: m[2]! } : { version: null, path: pathname };
}
