import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BatchedOutput } from './batched-output';

/** A stream that keeps every byte and, while `held`, does not finish writes (a full pipe). */
function sink(highWaterMark = 1024) {
  const chunks: Buffer[] = [];
  const waiting: (() => void)[] = [];
  let held = false;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      if (held) waiting.push(() => done());
      else done();
    },
  });
  return {
    stream,
    bytes: () => Buffer.concat(chunks),
    hold: () => (held = true),
    release: () => {
      held = false;
      for (const w of waiting.splice(0)) w();
    },
  };
}

describe('BatchedOutput', () => {
  it('keeps the order across stdout and stderr and passes text and exact bytes through', async () => {
    const out = sink();
    const err = sink();
    const b = new BatchedOutput();
    await b.write(out.stream, 'one\n');
    await b.write(out.stream, Buffer.from([0xff, 0xfe, 0x0a]));
    await b.write(err.stream, 'two é\n');
    await b.write(out.stream, 'three');
    await b.flush();
    expect(out.bytes()).toEqual(Buffer.concat([Buffer.from('one\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('three')]));
    expect(err.bytes().toString('utf8')).toBe('two é\n');
  });

  it('holds the writer while the output is full, with one drain listener, and loses nothing', async () => {
    const out = sink(1024);
    out.hold();
    const b = new BatchedOutput();
    const line = `${'x'.repeat(99)}\n`;
    // Small writes with turns in between: scheduled flushes meet the full stream, nobody awaits them; the
    // writer must still be held back (not queue without bound) and only one drain listener may pile up.
    let written = 0;
    let pending: Promise<unknown> | null = null;
    for (; written < 200 && !pending; ) {
      let resolved = false;
      const p = b.write(out.stream, line).then(() => (resolved = true));
      written++;
      await tick();
      await tick();
      if (!resolved) pending = p;
    }
    expect(pending).not.toBeNull();
    expect(written).toBeLessThan(50);
    expect(out.stream.listenerCount('drain')).toBeLessThanOrEqual(1);
    out.release();
    await pending;
    await b.flush();
    expect(out.bytes().toString()).toBe(line.repeat(written));
  });
});
