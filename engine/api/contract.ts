// THE contract (design §4): every method a user can reach, from the renderer, the CLI, the web host or the
// Docker API shim. Each namespace lives in its own file; this map joins them. Transports derive their channel
// names and validation from it, so a renamed method or a changed payload fails to compile on both sides.
import type { z } from 'zod';
import type { CallSpec, MethodSpec, StreamSpec } from './kit';
import { systemContract } from './system';
import { eventsContract } from './events';
import { networksContract } from './networks';
import { containersContract } from './containers';
import { composeContract } from './compose';
import { imagesContract } from './images';
import { volumesContract } from './volumes';
import { containerStatsContract } from './container-stats';
import { containerFilesContract } from './container-files';

export const contract = {
  ...systemContract,
  ...eventsContract,
  ...networksContract,
  ...containersContract,
  ...composeContract,
  ...imagesContract,
  ...volumesContract,
  ...containerStatsContract,
  ...containerFilesContract,
} as const satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type CallName = { [K in MethodName]: Contract[K] extends CallSpec ? K : never }[MethodName];
export type StreamName = { [K in MethodName]: Contract[K] extends StreamSpec ? K : never }[MethodName];

/** What a caller may send (defaults still optional). */
export type Input<K extends MethodName> = z.input<Contract[K]['input']>;
/** What a handler receives after validation (defaults applied). */
export type ParsedInput<K extends MethodName> = z.output<Contract[K]['input']>;
export type Output<K extends CallName> = Contract[K] extends CallSpec<z.ZodType, infer O> ? z.output<O> : never;
export type Item<K extends StreamName> = Contract[K] extends StreamSpec<z.ZodType, infer T> ? z.output<T> : never;

export interface CallContext {
  /** Aborted when the caller cancels or disconnects: long work stops and releases what it holds. */
  signal: AbortSignal;
}

/** The engine's side: one handler per method. Streams are async iterables pulled only against credit. */
export type EngineApi = { [K in CallName]: (input: ParsedInput<K>, ctx: CallContext) => Promise<Output<K>> } & {
  [K in StreamName]: (input: ParsedInput<K>, ctx: CallContext) => AsyncIterable<Item<K>>;
};

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
