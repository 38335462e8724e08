// How compose reaches the rest of the engine: through the same contract handlers every transport uses, with
// the input parsed by the contract's schema (defaults applied) exactly as a transport would. Methods of a
// subsystem that is not wired yet are reported as unavailable instead of failing to compile.
import type { z } from 'zod';
import { contract, type CallName, type EngineApi, type Input, type Output, type StreamName, type Item } from '../api/contract';
import { unavailable } from '../api/errors';

type Loose = (input: unknown, ctx: { signal: AbortSignal }) => unknown;

export class EngineLink {
  constructor(
    private readonly api: EngineApi,
    readonly signal: AbortSignal,
  ) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(contract, name) && typeof (this.api as unknown as Record<string, unknown>)[name] === 'function';
  }

  private handler(name: string, why: string): { fn: Loose; schema: z.ZodType } {
    if (!this.has(name)) throw unavailable(`${why}: this engine has no ${name} yet`);
    const spec = (contract as unknown as Record<string, { input: z.ZodType }>)[name]!;
    return { fn: (this.api as unknown as Record<string, Loose>)[name]!, schema: spec.input };
  }

  call<K extends CallName>(name: K, input: Input<K>, signal: AbortSignal = this.signal): Promise<Output<K>> {
    const { fn, schema } = this.handler(name, name);
    return Promise.resolve(fn(schema.parse(input), { signal })) as Promise<Output<K>>;
  }

  stream<K extends StreamName>(name: K, input: Input<K>, signal: AbortSignal = this.signal): AsyncIterable<Item<K>> {
    const { fn, schema } = this.handler(name, name);
    return fn(schema.parse(input), { signal }) as AsyncIterable<Item<K>>;
  }

  /** For methods another subsystem adds to the contract (volumes.*): `why` says what needs them. */
  async callLoose(name: string, input: unknown, why: string): Promise<unknown> {
    const { fn, schema } = this.handler(name, why);
    return fn(schema.parse(input), { signal: this.signal });
  }
}
