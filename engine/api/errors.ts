// Typed errors that cross every transport intact: a code a program can branch on, a message a person can act on.

export const errorCodes = [
  'invalid', // the input is wrong: fix the request
  'not_found', // the named object does not exist
  'conflict', // the object exists or is in a state that forbids this (name taken, container running)
  'not_modified', // nothing to do (start of a running container): success for most clients
  'unavailable', // a dependency is missing or down (runtime binary, registry, engine)
  'unauthorized', // credentials missing or wrong
  'forbidden', // the operation is refused by policy (bind mount of the engine root)
  'unsupported', // not implemented yet, said plainly
  'cancelled', // the caller went away
  'internal', // a bug: the message says what failed
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorShape {
  code: ErrorCode;
  message: string;
}

export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }

  toJSON(): ErrorShape {
    return { code: this.code, message: this.message };
  }
}

export const invalid = (message: string) => new EngineError('invalid', message);
export const notFound = (message: string) => new EngineError('not_found', message);
export const conflict = (message: string) => new EngineError('conflict', message);
export const unavailable = (message: string) => new EngineError('unavailable', message);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** Turns anything thrown into the wire shape; unknown errors become `internal` with their message kept. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  if (err && typeof err === 'object' && 'code' in err && isErrorCode((err as { code: unknown }).code)) {
    return { code: (err as ErrorShape).code, message: String((err as { message?: unknown }).message ?? '') };
  }
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

export function fromErrorShape(shape: ErrorShape): EngineError {
  return new EngineError(shape.code, shape.message);
}
