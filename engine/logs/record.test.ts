import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conmonTimestamp } from './conmon-format';
import { formatRecord, parseRecordHeader, parseTimestamp, readLogs, type LogEntry, type LogStream } from './index';

const dir = mkdtempSync(join(tmpdir(), 'fd-logs-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, tail?: number): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(path, tail === undefined ? {} : { tail })) out.push(e);
  return out;
}

describe('timestamps', () => {
  it('any instant and offset conmon could write comes back as the same UTC instant', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: 0n, max: 4_000_000_000n * 1_000_000_000n }),
      fc.integer({ min: -14 * 60, max: 14 * 60 }),
      (ns, offset) => {
        const t = parseTimestamp(conmonTimestamp(ns, offset))!;
        expect(t.ms).toBe(Number(ns / 1_000_000n));
        expect(t.nano).toBe(`${new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`);
      },
    ));
  });

  it('rejects what is not RFC3339', () => {
    for (const bad of ['', '2026-11-25 20:10:04Z', '2026-11-25T20:10:04', '2026-11-25T20:10:04.1234567890Z', 'stdout']) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });

  it('parses a header and leaves the content alone', () => {
    const rec = formatRecord('2026-11-25T20:10:04.464400846+00:00', 'stderr', true, 'a b  c ');
    const h = parseRecordHeader(rec, 0, rec.length - 1)!;
    expect(h).toMatchObject({ stream: 'stderr', partial: true, ms: Date.UTC(2026, 10, 25, 20, 10, 4, 464) });
    expect(rec.subarray(h.contentStart, rec.length - 1).toString()).toBe('a b  c ');
    expect(parseRecordHeader(Buffer.from('2026-11-25T20:10:04Z stdin F x'), 0, 30)).toBeNull();
  });
});

// Random output on two streams, cut into random P/F pieces the way conmon's reads could cut it.
const lineArb = fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')))
  .map((s) => s.replace(/\n/g, ''));
const eventArb = fc.record({
  stream: fc.constantFrom<LogStream>('stdout', 'stderr'),
  content: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b.map((x) => (x === 0x0a ? 0x20 : x)))),
  cuts: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 4 }),
});

describe('parser properties', () => {
  it('random lines split into random P pieces and interleaved streams are reassembled exactly', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(eventArb, { maxLength: 30 }), fc.boolean(), async (events, lastPartial) => {
      // Each event is one line of one stream, written as pieces P..P F; streams interleave piece by piece.
      const ts = conmonTimestamp(1_764_100_000_000_000_000n + BigInt(n), 60);
      const queues: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
      const expected: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
      const records: Buffer[] = [];
      const pieces: { stream: LogStream; piece: Buffer; last: boolean }[][] = events.map((e) => {
        expected[e.stream].push(e.content);
        const cuts = [...new Set(e.cuts.filter((c) => c < e.content.length))].sort((a, b) => a - b);
        const bounds = [0, ...cuts, e.content.length];
        return bounds.slice(1).map((end, i) => ({ stream: e.stream, piece: e.content.subarray(bounds[i], end), last: i === bounds.length - 2 }));
      });
      // Interleave: keep each stream's order, mix the two streams.
      for (const p of pieces) for (const x of p) queues[x.stream].push(Buffer.concat([Buffer.from([x.last ? 1 : 0]), x.piece]));
      let turn = 0;
      while (queues.stdout.length || queues.stderr.length) {
        const s: LogStream = (turn++ % 3 === 0 && queues.stderr.length) || !queues.stdout.length ? 'stderr' : 'stdout';
        const q = queues[s].shift()!;
        records.push(formatRecord(ts, s, q[0] === 0, q.subarray(1)));
      }
      let partialTail: Buffer | null = null;
      if (lastPartial) {
        partialTail = Buffer.from(`tail-${n}`);
        records.push(formatRecord(ts, 'stdout', true, partialTail));
      }
      const path = join(dir, `p${n++}.log`);
      writeFileSync(path, Buffer.concat(records));
      const got = await collect(path);
      for (const s of ['stdout', 'stderr'] as const) {
        const mine = got.filter((e) => e.stream === s && !e.partial).map((e) => e.data);
        expect(mine).toEqual(expected[s]);
      }
      expect(got.filter((e) => e.partial).map((e) => e.data)).toEqual(partialTail ? [partialTail] : []);
      for (const e of got) expect(e.timeNano).toBe(parseTimestamp(ts)!.nano);
    }), { numRuns: 300 });
  });

  it('tail N equals the last N complete lines of a full read', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ stream: fc.constantFrom<LogStream>('stdout', 'stderr'), line: lineArb, partial: fc.boolean() }), { maxLength: 40 }),
      fc.integer({ min: 0, max: 45 }),
      async (recs, tail) => {
        const ts = conmonTimestamp(BigInt(n + 1) * 1_000_000_000n);
        const path = join(dir, `t${n++}.log`);
        writeFileSync(path, Buffer.concat(recs.map((r) => formatRecord(ts, r.stream, r.partial, Buffer.from(r.line, 'latin1')))));
        const all = await collect(path);
        const complete = all.filter((e) => !e.partial);
        const want = [...(tail === 0 ? [] : complete.slice(-tail)), ...all.filter((e) => e.partial)];
        const got = await collect(path, tail);
        expect(got.map((e) => [e.stream, e.line, e.partial ?? false])).toEqual(want.map((e) => [e.stream, e.line, e.partial ?? false]));
      },
    ), { numRuns: 300 });
  });
});
