import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder } from './frames';
import { EngineError } from '../api/errors';
import { serveConnection } from './dispatch';
import { ClientMessage, type Port, type ServerMessage } from '../api/protocol';
import type { EngineApi } from '../api/contract';

/** Splits a buffer at the given cut points. */
function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(buf.subarray(prev, p));
    prev = p;
  }
  parts.push(buf.subarray(prev));
  return parts;
}

describe('frame decoding (property-based)', () => {
  it('any split of a sequence of frames decodes to the same messages', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const wire = Buffer.concat(messages.map((m) => encodeFrame(m)));
        const decoder = new FrameDecoder();
        const out = splitAt(wire, cuts).flatMap((part) => decoder.push(part));
        expect(out).toEqual(messages.map((m) => JSON.parse(JSON.stringify(m))));
      }),
    );
  });

  it('arbitrary bytes never crash the decoder: frames or a clear size error only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const decoder = new FrameDecoder(1024);
        try {
          for (const f of decoder.push(Buffer.from(bytes))) {
            if (f instanceof Error) expect(f.message).toMatch(/^frame is not JSON/);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(EngineError);
          expect((err as Error).message).toMatch(/exceeds the limit of 1024/);
        }
      }),
    );
  });
});

/** An in-memory port: what the dispatcher sends is collected; the test injects what a client would send. */
function memoryPort() {
  const sent: ServerMessage[] = [];
  let listener: ((m: unknown) => void) | null = null;
  const port: Port<ServerMessage, unknown> = {
    send: (m) => sent.push(m),
    onMessage: (l) => (listener = l),
    onClose: () => undefined,
    close: () => undefined,
  };
  return { port, sent, inject: (m: unknown) => listener?.(m) };
}

describe('dispatch (property-based)', () => {
  const api = {
    'system.ping': async () => 'ok',
  } as unknown as EngineApi;

  it('every message, however malformed, gets exactly one reply and never throws', async () => {
    const message = fc.oneof(
      fc.jsonValue(),
      fc.record({
        t: fc.constantFrom('call', 'open', 'credit', 'cancel', 'bogus'),
        id: fc.oneof(fc.nat(), fc.integer(), fc.string(), fc.constant(null)),
        method: fc.oneof(fc.constantFrom('system.ping', 'events.subscribe', 'system.info', '__proto__', 'constructor'), fc.string()),
        input: fc.jsonValue(),
        credit: fc.oneof(fc.nat(), fc.integer()),
      }),
    );
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const { port, sent, inject } = memoryPort();
        serveConnection(api, port);
        inject(m);
        await new Promise((r) => setImmediate(r));
        const parsed = ClientMessage.safeParse(m);
        // Well-formed credit/cancel for a stream that does not exist are ignored; everything else gets one reply.
        if (parsed.success && (parsed.data.t === 'credit' || parsed.data.t === 'cancel')) expect(sent).toHaveLength(0);
        else {
          expect(sent).toHaveLength(1);
          expect(['result', 'error']).toContain(sent[0]!.t);
        }
      }),
      { numRuns: 300 },
    );
  });
});
