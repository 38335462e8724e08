// Messages between unpack-pool.ts (engine thread) and unpack-worker.ts, and errors carried across intact:
// an EngineError keeps its code, a system error its errno code (ENOSPC must still read as a full disk).
import { EngineError, errorCodes, type ErrorCode } from '../api/errors';
import type { UnpackOptions, UnpackResult } from './unpack-writer';

export type ToWorker =
  | { type: 'start'; root: string; options: UnpackOptions }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  /** The source failed: stop writing and answer `failed`. */
  | { type: 'abort' };

export type FromWorker =
  /** The worker's code loaded: it can take jobs. */
  | { type: 'ready' }
  /** Bytes the worker took from its queue: the sender may send that many more. */
  | { type: 'ack'; bytes: number }
  | { type: 'done'; result: UnpackResult }
  | { type: 'failed'; error: SerializedError };

export interface SerializedError {
  message: string;
  engineCode?: ErrorCode;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) return { message: err.message, engineCode: err.code, stack: err.stack };
  const e = (err ?? {}) as NodeJS.ErrnoException;
  return {
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.errno === 'number' ? { errno: e.errno } : {}),
    ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}),
    ...(typeof e.path === 'string' ? { path: e.path } : {}),
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  if (s.engineCode && (errorCodes as readonly string[]).includes(s.engineCode)) return new EngineError(s.engineCode, s.message);
  const e: NodeJS.ErrnoException = new Error(s.message);
  if (s.code !== undefined) e.code = s.code;
  if (s.errno !== undefined) e.errno = s.errno;
  if (s.syscall !== undefined) e.syscall = s.syscall;
  if (s.path !== undefined) e.path = s.path;
  if (s.stack) e.stack = `${e.stack}\n    --- in the unpack worker ---\n${s.stack}`;
  return e;
}
