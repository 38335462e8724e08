import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrames, dockerTimestamp, encodeFrame, formatLogLine, FrameDecoder, frameLogEntry, parseDockerTime, StreamType,
  type LogEntry,
} from './index';

const entry = (over: Partial<LogEntry>): LogEntry => ({
  time: Date.UTC(2026, 10, 25, 20, 10, 4, 464), timeNano: '2026-11-25T20:10:04.464400846Z', stream: 'stdout',
  line: 'hi', data: Buffer.from('hi'), ...over,
});

describe('docker multiplexed framing', () => {
  it('writes the 8-byte header docker clients unpack as >BxxxL', () => {
    const f = encodeFrame(StreamType.stderr, 'abc');
    expect([...f]).toEqual([2, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
  });

  it('round-trips any frames through any chunking', () => {
    const frameArb = fc.record({ stream: fc.constantFrom(0, 1, 2, 3), payload: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (frames, cuts) => {
      const wire = Buffer.concat(frames.map((f) => encodeFrame(f.stream as StreamType, Buffer.from(f.payload))));
      const d = new FrameDecoder();
      const got: { stream: number; payload: Buffer }[] = [];
      for (let pos = 0, i = 0; pos < wire.length; i++) {
        const n = cuts[i % cuts.length]!;
        got.push(...d.push(wire.subarray(pos, pos + n)));
        pos += n;
      }
      d.end();
      expect(got.map((g) => [g.stream, [...g.payload]])).toEqual(frames.map((f) => [f.stream, [...f.payload]]));
    }));
  });

  it('rejects a stream that is not multiplexed, and one cut inside a frame', () => {
    expect(() => decodeFrames(Buffer.from('hello world\n'))).toThrow(/bad frame header/);
    expect(() => decodeFrames(encodeFrame(1, 'abc').subarray(0, 9))).toThrow(/ended inside a frame/);
  });
});

describe('docker log lines', () => {
  it('prefixes RFC3339 UTC with 9 fixed digits when timestamps are asked for', () => {
    expect(formatLogLine(entry({}), true).toString()).toBe('2026-11-25T20:10:04.464400846Z hi\n');
    expect(formatLogLine(entry({}), false).toString()).toBe('hi\n');
    expect(dockerTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 60))).toBe('2026-01-02T03:04:05.060000000Z');
  });

  it('adds no newline to a partial entry and keeps the bytes exact', () => {
    const data = Buffer.from([0xff, 0x00, 0x0d]);
    const framed = frameLogEntry(entry({ stream: 'stderr', data, partial: true }));
    const [frame] = decodeFrames(framed);
    expect(frame!.stream).toBe(2);
    expect(frame!.payload).toEqual(data);
  });

  it('parses since/until as the CLI sends them', () => {
    expect(parseDockerTime('1700000000')).toBe(1_700_000_000_000);
    expect(parseDockerTime('1700000000.123456789')).toBe(1_700_000_000_123);
    expect(parseDockerTime('1700000000.5')).toBe(1_700_000_000_500);
    expect(parseDockerTime('0')).toBeUndefined();
    expect(parseDockerTime('')).toBeUndefined();
    expect(() => parseDockerTime('10m')).toThrow(/unix seconds/);
  });
});
