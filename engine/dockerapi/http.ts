// HTTP details the Docker clients depend on (notes/docker-api.md §2): exact error bodies, status codes from
// EngineError codes, moby's boolean and filter parsing, JSON bodies with a size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, toErrorShape, type ErrorCode } from '../api/errors';
import { ENGINE_VERSION } from '../version';

/** The API version we advertise; every CLI 28 build negotiates down to exactly this (notes §1). */
export const API_VERSION = '1.44';
export const MIN_API_VERSION = '1.24';
/** JSON request bodies larger than this are refused with 413 before they are buffered. */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

const statusByCode: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  not_modified: 304,
  internal: 500,
  unsupported: 501,
  unavailable: 503,
  cancelled: 499,
};

export function statusForError(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const shape = toErrorShape(err);
  return { status: statusByCode[shape.code], message: shape.message };
}

/** An HTTP-level refusal that has no EngineError code (413, 404 page not found). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Headers moby's version middleware puts on every response. */
export function commonHeaders(): Record<string, string> {
  return { 'Api-Version': API_VERSION, Ostype: 'linux', Server: `Flying-Dutchman/${ENGINE_VERSION} (linux)` };
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number) {
  res.writeHead(status);
  res.end();
}

/**
 * The error body the Go client parses: `{"message": ...}` with Content-Type exactly `application/json`
 * (with a charset suffix the CLI prints the raw JSON). 304 has no body, as moby sends it.
 */
export function sendError(res: ServerResponse, err: unknown) {
  const { status, message } = statusForError(err);
  if (res.headersSent) {
    // Too late for a status: end the stream; the client sees a truncated body.
    res.destroy();
    return;
  }
  if (status === 304) return sendEmpty(res, 304);
  sendJson(res, status, { message });
}

/** moby `httputils.BoolValue`: "", 0, no, false, none (any case) are false; anything else is true. */
export function boolValue(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const v = value.trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

/** Like boolValue, but a missing parameter yields `fallback` (moby `BoolValueOrDefault`). */
export function boolOr(query: URLSearchParams, key: string, fallback: boolean): boolean {
  return query.has(key) ? boolValue(query.get(key)) : fallback;
}

/** Integer query parameter; absent or empty gives `fallback`, garbage is a 400. */
export function intParam(query: URLSearchParams, key: string, fallback?: number): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new EngineError('invalid', `invalid value for ${key}: ${JSON.stringify(raw)} is not an integer`);
  return n;
}

/**
 * Docker filters in both JSON shapes (moby `filters.FromJSON`): the Go client's
 * `{"label":{"k=v":true}}` and docker-py's `{"label":["k=v"]}`. Returns key → values.
 */
export function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw === null || raw === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new EngineError('invalid', `invalid filter: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new EngineError('invalid', 'invalid filter: expected a JSON object of filter names to values');
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      out.set(key, value.map(String));
    } else if (value && typeof value === 'object') {
      out.set(
        key,
        Object.entries(value as Record<string, unknown>)
          .filter(([, on]) => on === true)
          .map(([k]) => k),
      );
    } else {
      throw new EngineError('invalid', `invalid filter: values of "${key}" must be a list or a map`);
    }
  }
  return out;
}

/** Refuses filter keys the endpoint does not know, as moby's `filters.Validate` does. */
export function checkFilterKeys(filters: Map<string, string[]>, accepted: readonly string[]) {
  for (const key of filters.keys()) {
    if (!accepted.includes(key)) throw new EngineError('invalid', `invalid filter '${key}'`);
  }
}

const MAX_DATE_MS = 8.64e15;

/**
 * Docker timestamps on the query (`since`, `until`): unix `secs[.nanos]` as the clients send them, in
 * milliseconds. RFC 3339 is accepted too, for hand-written requests.
 */
export function timestampMs(value: string | null, key: string): number | undefined {
  if (value === null || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (m) {
    const secs = Number(m[1]);
    const frac = (m[2] ?? '').padEnd(9, '0');
    const ms = Math.max(0, secs * 1000 + Math.floor(Number(frac) / 1e6));
    // Long digit runs overflow past what a Date holds (±8.64e15 ms; Infinity), which crashes formatting later.
    if (ms <= MAX_DATE_MS) return ms;
  } else {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new EngineError('invalid', `invalid value for ${key}: ${JSON.stringify(value)} is not a unix timestamp`);
}

/** Reads the request body up to `limit` bytes (413 beyond), without parsing. */
export function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** Parses a JSON body; an empty body gives `undefined`, malformed JSON is a 400 naming the reason. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new EngineError('invalid', `invalid JSON: ${(err as Error).message}`);
  }
}

export async function readJson(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<unknown> {
  return parseJsonBody(await readBody(req, limit));
}

/** Compares dotted API versions numerically ("1.9" < "1.24"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
