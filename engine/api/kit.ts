// Building blocks of the contract: a method is either a call (one input, one output) or a stream (one input,
// many items, flow-controlled). Both carry zod schemas that every transport validates with.
import type { z } from 'zod';

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'call';
  readonly input: I;
  readonly output: O;
  readonly doc: string;
}

export interface StreamSpec<I extends z.ZodType = z.ZodType, T extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly input: I;
  readonly item: T;
  readonly doc: string;
}

export type MethodSpec = CallSpec | StreamSpec;

export const call = <I extends z.ZodType, O extends z.ZodType>(doc: string, input: I, output: O): CallSpec<I, O> => ({
  kind: 'call',
  input,
  output,
  doc,
});

export const stream = <I extends z.ZodType, T extends z.ZodType>(doc: string, input: I, item: T): StreamSpec<I, T> => ({
  kind: 'stream',
  input,
  item,
  doc,
});
