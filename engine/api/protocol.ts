// Wire messages shared by every transport (unix socket frames, WebSocket messages, Electron IPC).
// A stream is flow-controlled by credit: the server sends at most as many items as the client granted.
import { z } from 'zod';
import { errorCodes } from './errors';

export { MAX_FRAME_BYTES, DEFAULT_STREAM_WINDOW } from './schema-free';

const Id = z.number().int().nonnegative();

export const ClientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: Id, method: z.string(), input: z.unknown() }),
  z.object({ t: z.literal('open'), id: Id, method: z.string(), input: z.unknown(), credit: z.number().int().min(1).max(100_000) }),
  z.object({ t: z.literal('credit'), id: Id, n: z.number().int().min(1).max(100_000) }),
  z.object({ t: z.literal('cancel'), id: Id }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

const WireError = z.object({ code: z.enum(errorCodes), message: z.string() });

export const ServerMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id: Id, output: z.unknown() }),
  z.object({ t: z.literal('item'), id: Id, item: z.unknown() }),
  z.object({ t: z.literal('end'), id: Id }),
  /** `id: null` answers a message that could not be read at all. */
  z.object({ t: z.literal('error'), id: Id.nullable(), error: WireError }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** A bidirectional message pipe; each transport adapts its medium to this. */
export interface Port<Out, In> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
  onClose(listener: (reason?: Error) => void): void;
  close(): void;
  /** Resolves once the medium can take more (socket drained); streams await it before each item. */
  whenWritable?(): Promise<void>;
}
