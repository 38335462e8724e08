// Screens grow as the contract grows: a method this build of the contract does not name, or one the engine
// answers "unknown method" for, shows a plain "not available in this engine" state instead of fake data.
import { EngineError, isMethodName, type CallName } from '../../engine/api';
import type { EngineConnection } from '../connection/connection';

export function contractHas(method: string): boolean {
  return isMethodName(method);
}

export class NotAvailable extends Error {
  constructor(readonly method: string) {
    super(`${method} is not available in this engine`);
  }
}

/**
 * Calls a method by name when the contract may or may not have it yet (namespaces land one by one). Typed by
 * the caller against the namespace's schemas; throws NotAvailable when the contract or the engine lacks it.
 */
export async function callIfAvailable<T>(connection: EngineConnection, method: string, input: unknown): Promise<T> {
  if (!contractHas(method)) throw new NotAvailable(method);
  try {
    return (await connection.call(method as CallName, input as never)) as T;
  } catch (err) {
    if (err instanceof EngineError && err.code === 'invalid' && err.message === `unknown method "${method}"`) throw new NotAvailable(method);
    throw err;
  }
}
