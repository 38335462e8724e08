// The one wrapper every request goes through, whatever the transport: validate the frame and the input with
// the contract's schemas, run the handler, turn any error into {code, message}, and pump streams only
// against the credit the consumer granted.
import type { ZodType } from 'zod';
import { contract, isMethodName, type CallContext, type EngineApi, type MethodName } from '../api/contract';
import { ClientMessage, type Port, type ServerMessage } from '../api/protocol';
import { EngineError, toErrorShape } from '../api/errors';

type AnyHandler = (input: unknown, ctx: CallContext) => Promise<unknown> | AsyncIterable<unknown>;

export interface DispatchLog {
  warn(message: string): void;
}

interface ActiveStream {
  credit: number;
  wake: (() => void) | null;
  abort: AbortController;
}

function describeZodError(method: string, error: { issues: { path: PropertyKey[]; message: string }[] }) {
  const first = error.issues[0];
  const where = first && first.path.length ? first.path.map(String).join('.') : 'input';
  return `${method}: ${where}: ${first?.message ?? 'invalid input'}`;
}

function parseInput(method: MethodName, input: unknown): unknown {
  const schema = contract[method].input as ZodType;
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new EngineError('invalid', describeZodError(method, parsed.error));
  return parsed.data;
}

/** Serves one connection until it closes. Returns a function that aborts everything it runs. */
export function serveConnection(api: EngineApi, port: Port<ServerMessage, unknown>, log?: DispatchLog): () => void {
  const handlers = api as unknown as Record<string, AnyHandler>;
  const calls = new Map<number, AbortController>();
  const streams = new Map<number, ActiveStream>();
  let closed = false;

  const send = (message: ServerMessage) => {
    if (!closed) port.send(message);
  };

  const abortAll = () => {
    closed = true;
    for (const c of calls.values()) c.abort();
    for (const s of streams.values()) {
      s.abort.abort();
      s.wake?.();
    }
    calls.clear();
    streams.clear();
  };

  port.onClose(abortAll);
  port.onMessage((raw) => {
    const parsed = ClientMessage.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? ((raw as { id: number }).id) : null;
      log?.warn(`rejected a malformed message: ${describeZodError('message', parsed.error)}`);
      send({ t: 'error', id, error: { code: 'invalid', message: `malformed message: ${describeZodError('frame', parsed.error)}` } });
      return;
    }
    const message = parsed.data;
    switch (message.t) {
      case 'call':
        void runCall(message.id, message.method, message.input);
        return;
      case 'open':
        void runStream(message.id, message.method, message.input, message.credit);
        return;
      case 'credit': {
        const s = streams.get(message.id);
        if (s) {
          s.credit += message.n;
          s.wake?.();
        }
        return;
      }
      case 'cancel': {
        const s = streams.get(message.id);
        if (s) {
          streams.delete(message.id);
          s.abort.abort();
          s.wake?.();
        }
        calls.get(message.id)?.abort();
      }
    }
  });

  async function runCall(id: number, method: string, input: unknown) {
    const abort = new AbortController();
    calls.set(id, abort);
    try {
      if (!isMethodName(method) || contract[method].kind !== 'call') {
        throw new EngineError('invalid', `unknown method "${method}"`);
      }
      const output = await (handlers[method] as AnyHandler)(parseInput(method, input), { signal: abort.signal });
      send({ t: 'result', id, output });
    } catch (err) {
      send({ t: 'error', id, error: toErrorShape(err) });
    } finally {
      calls.delete(id);
    }
  }

  async function runStream(id: number, method: string, input: unknown, credit: number) {
    const state: ActiveStream = { credit, wake: null, abort: new AbortController() };
    streams.set(id, state);
    let iterator: AsyncIterator<unknown> | null = null;
    try {
      if (!isMethodName(method) || contract[method].kind !== 'stream') {
        throw new EngineError('invalid', `unknown stream "${method}"`);
      }
      const iterable = (handlers[method] as AnyHandler)(parseInput(method, input), { signal: state.abort.signal });
      iterator = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      while (!state.abort.signal.aborted) {
        // Pull from the producer only with credit in hand: a consumer that stops reading stops the producer.
        while (state.credit <= 0 && !state.abort.signal.aborted) {
          await new Promise<void>((resolve) => (state.wake = resolve));
          state.wake = null;
        }
        if (state.abort.signal.aborted) break;
        const next = await iterator.next();
        if (next.done) break;
        state.credit--;
        send({ t: 'item', id, item: next.value });
        if (port.whenWritable) await port.whenWritable();
      }
      if (!state.abort.signal.aborted) send({ t: 'end', id });
    } catch (err) {
      if (!state.abort.signal.aborted) send({ t: 'error', id, error: toErrorShape(err) });
    } finally {
      streams.delete(id);
      await iterator?.return?.().catch(() => undefined);
    }
  }

  return abortAll;
}
