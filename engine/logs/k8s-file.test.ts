import { mkdtempSync, readdirSync, readlinkSync, readFileSync, rmSync, writeFileSync, appendFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConmonLogWriter, conmonTimestamp } from './conmon-format';
import { readLogs, MAX_LINE_BYTES, type LogEntry, type ReadLogsOptions } from './index';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-logs-'));
  path = join(dir, 'ctr.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function collect(p: string, options?: ReadLogsOptions): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(p, options)) out.push(e);
  return out;
}

/** A clock that advances 1 ms per read, from a fixed instant. */
function steppingClock(startMs = Date.UTC(2026, 10, 25, 20, 10, 4)): () => bigint {
  let ns = BigInt(startMs) * 1_000_000n + 464_400_846n;
  return () => (ns += 1_000_000n);
}

/** This process's open fds on the test's log file plus inotify instances (other fds come and go in the worker). */
const openFds = (): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`);
    return target === path || target.includes('inotify');
  } catch {
    return false;
  }
}).length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('reading a finished log', () => {
  it('joins a 20000-char line that conmon split 8192/8192/3616', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    const long = 'x'.repeat(19_999) + 'y';
    w.write('stdout', `${long}\n`);
    w.close();
    const records = readFileSync(path, 'latin1').trimEnd().split('\n');
    expect(records.map((r) => `${r.split(' ')[2]} ${r.split(' ')[3]!.length}`)).toEqual(['P 8192', 'P 8192', 'F 3616']);

    const entries = await collect(path);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.line).toBe(long);
    expect(entries[0]!.partial).toBeUndefined();
    expect(entries[0]!.timeNano).toBe('2026-11-25T20:10:04.465400846Z'); // the first piece's time
  });

  it('keeps stdout and stderr apart when their pieces interleave', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    w.write('stdout', 'out-start ');
    w.write('stderr', 'err-1\nerr-');
    w.write('stdout', 'out-end\n');
    w.write('stderr', '2\n');
    w.close();
    const entries = await collect(path);
    expect(entries.map((e) => [e.stream, e.line])).toEqual([
      ['stderr', 'err-1'],
      ['stdout', 'out-start out-end'],
      ['stderr', 'err-2'],
    ]);
  });

  it('converts local-offset timestamps to UTC ms and a 9-digit Z string', async () => {
    writeFileSync(path, [
      '2026-11-25T22:10:04.464400846+02:00 stdout F east',
      '2026-11-25T15:40:04.000000001-04:30 stderr F west',
      '2026-11-25T20:10:04Z stdout F no-fraction',
      '',
    ].join('\n'));
    const entries = await collect(path);
    expect(entries.map((e) => [e.timeNano, e.time, e.line])).toEqual([
      ['2026-11-25T20:10:04.464400846Z', Date.UTC(2026, 10, 25, 20, 10, 4, 464), 'east'],
      ['2026-11-25T20:10:04.000000001Z', Date.UTC(2026, 10, 25, 20, 10, 4, 0), 'west'],
      ['2026-11-25T20:10:04.000000000Z', Date.UTC(2026, 10, 25, 20, 10, 4, 0), 'no-fraction'],
    ]);
  });

  it('keeps bytes exact, survives invalid UTF-8, and skips damaged records', async () => {
    const ts = conmonTimestamp(1_700_000_000_000_000_000n, 60);
    const bad = Buffer.from([0xff, 0xfe, 0x41, 0xc3]); // invalid sequence, then a truncated 2-byte char
    const euro = Buffer.from('€', 'utf8'); // split across two P pieces below
    writeFileSync(path, Buffer.concat([
      Buffer.from(`${ts} stdout P `), bad, euro.subarray(0, 1), Buffer.from('\n'),
      Buffer.from('garbage without a header\n'),
      Buffer.from(`${ts} stdout F `), euro.subarray(1), Buffer.from(' tab\there\r\n'),
      Buffer.from(`${ts} stderr F \n`), // an empty line
    ]));
    const entries = await collect(path);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.data).toEqual(Buffer.concat([bad, euro, Buffer.from(' tab\there\r')]));
    expect(entries[0]!.line).toContain('€ tab\there\r');
    expect(entries[1]).toMatchObject({ stream: 'stderr', line: '' });
  });

  it('emits a stream\'s unfinished last piece as partial at the end', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    w.write('stdout', 'hello-stdout\nno-newline-at-end');
    w.write('stderr', 'err-line\n');
    w.close();
    const entries = await collect(path);
    expect(entries.map((e) => [e.stream, e.line, e.partial ?? false])).toEqual([
      ['stdout', 'hello-stdout', false],
      ['stderr', 'err-line', false],
      ['stdout', 'no-newline-at-end', true],
    ]);
  });

  it('splits a line longer than MAX_LINE_BYTES at a character boundary, losing no byte', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    const line = 'é'.repeat(MAX_LINE_BYTES) + 'end'; // 2 MiB + 3 bytes of 2-byte chars
    w.write('stdout', `${line}\n`);
    w.close();
    const entries = await collect(path);
    expect(entries.map((e) => e.partial ?? false)).toEqual([true, true, false]);
    expect(entries.every((e) => e.data.length <= MAX_LINE_BYTES)).toBe(true);
    expect(entries.map((e) => e.line).join('')).toBe(line);
  });

  it('bounds a single over-long record from a writer that is not conmon, losing no byte', async () => {
    const ts = conmonTimestamp(1n);
    const content = Buffer.alloc(3 * MAX_LINE_BYTES + 12_345, 0x61);
    writeFileSync(path, Buffer.concat([Buffer.from(`${ts} stderr F `), content, Buffer.from(`\n${ts} stdout F after\n`)]));
    const entries = await collect(path);
    expect(entries.map((e) => [e.stream, e.data.length, e.partial ?? false])).toEqual([
      ['stderr', MAX_LINE_BYTES, true],
      ['stderr', MAX_LINE_BYTES, true],
      ['stderr', MAX_LINE_BYTES, true],
      ['stderr', 12_345, false],
      ['stdout', 5, false],
    ]);
  });

  it('returns nothing for a missing file when not following', async () => {
    expect(await collect(join(dir, 'nope.log'))).toEqual([]);
  });
});

describe('tail, since and until', () => {
  it('reads the last N lines of a large file from the end, reading only a few blocks', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    for (let i = 0; i < 20_000; i++) w.write(i % 3 === 0 ? 'stderr' : 'stdout', `line ${i} ${'z'.repeat(1000)}\n`);
    w.write('stdout', 'a long tail line '.padEnd(20_000, '#') + '\n'); // P P F, must come out whole
    w.close();
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThan(20_000_000);

    const stats = { bytesRead: 0 };
    const entries = await collect(path, { tail: 5, stats });
    expect(entries.map((e) => e.line.slice(0, 12))).toEqual(['line 19996 z', 'line 19997 z', 'line 19998 z', 'line 19999 z', 'a long tail ']);
    expect(entries[4]!.line).toHaveLength(20_000);
    expect(stats.bytesRead).toBeLessThan(256 * 1024);
  });

  it('counts only complete lines and keeps the unfinished one', async () => {
    const w = new ConmonLogWriter(path, { now: steppingClock() });
    w.write('stdout', 'one\ntwo\nthree\n');
    w.write('stderr', 'e1\n');
    w.write('stdout', 'unfinished');
    w.close();
    expect((await collect(path, { tail: 2 })).map((e) => e.line)).toEqual(['three', 'e1', 'unfinished']);
    expect((await collect(path, { tail: 0 })).map((e) => e.line)).toEqual(['unfinished']);
    expect((await collect(path, { tail: 100 })).map((e) => e.line)).toEqual(['one', 'two', 'three', 'e1', 'unfinished']);
  });

  it('filters by since (inclusive) and until (exclusive)', async () => {
    const base = Date.UTC(2026, 0, 1);
    const lines = [0, 1000, 2000, 3000].map((ms, i) => `${conmonTimestamp(BigInt(base + ms) * 1_000_000n, -300)} stdout F t${i}`);
    writeFileSync(path, lines.join('\n') + '\n');
    expect((await collect(path, { since: base + 1000, until: base + 3000 })).map((e) => e.line)).toEqual(['t1', 't2']);
    expect((await collect(path, { since: base + 1001 })).map((e) => e.line)).toEqual(['t2', 't3']);
    expect((await collect(path, { tail: 3, until: base + 2000 })).map((e) => e.line)).toEqual(['t1']);
  });
});

describe('follow', () => {
  it('sees lines appended after start, woken by fs.watch well before the poll interval', async () => {
    const w = new ConmonLogWriter(path);
    w.write('stdout', 'before\n');
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 10_000, signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value.line).toBe('before');
    const t0 = Date.now();
    setTimeout(() => w.write('stderr', 'after\n'), 50);
    const next = await it.next();
    expect(next.value).toMatchObject({ stream: 'stderr', line: 'after' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    ac.abort();
    expect((await it.next()).done).toBe(true);
    w.close();
  });

  it('sees appended lines by polling alone', async () => {
    const w = new ConmonLogWriter(path);
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 50, watch: false, signal: ac.signal })[Symbol.asyncIterator]();
    setTimeout(() => w.write('stdout', 'polled\n'), 100);
    expect((await it.next()).value.line).toBe('polled');
    ac.abort();
    w.close();
  });

  it('ends when the container has stopped and the file is drained, flushing an unfinished line', async () => {
    const w = new ConmonLogWriter(path);
    let running = true;
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of readLogs(path, { follow: true, pollMs: 20, isRunning: () => running })) seen.push(`${e.line}${e.partial ? '(partial)' : ''}`);
    })();
    for (let i = 0; i < 50; i++) {
      w.write('stdout', `n${i}\n`);
      if (i % 10 === 0) await sleep(5);
    }
    w.write('stdout', 'last words');
    running = false; // conmon writes the exit file only after the log is flushed
    await done;
    expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => `n${i}`), 'last words(partial)']);
    w.close();
  });

  it('follows conmon truncation-by-rename without losing or repeating a line, joining a line split across it', async () => {
    const w = new ConmonLogWriter(path, { logSizeMax: 4096 });
    let running = true;
    const seen: LogEntry[] = [];
    const reader = (async () => {
      for await (const e of readLogs(path, { follow: true, pollMs: 5, isRunning: () => running })) seen.push(e);
    })();
    const expected: string[] = [];
    let straddling = 0;
    for (let i = 0; i < 2000; i++) {
      if (i % 10 === 7) {
        // One line written in two reads: its P piece may land before a rotation and its F after.
        const r = w.rotations;
        w.write('stderr', `split-${i}-`);
        w.write('stderr', `${'s'.repeat(i % 300)}\n`);
        if (w.rotations > r) straddling++;
        expected.push(`split-${i}-${'s'.repeat(i % 300)}`);
      } else {
        w.write('stdout', `line-${i}-${'r'.repeat(i % 200)}\n`);
        expected.push(`line-${i}-${'r'.repeat(i % 200)}`);
      }
      // Bursts smaller than one 4 KiB file, so at most one rotation happens while the follower is away.
      // (Two rotations between two looks lose the middle file: conmon discards it, as with podman.)
      if (i % 10 === 9) while (seen.length < expected.length) await sleep(1);
    }
    running = false;
    await reader;
    w.close();
    expect(w.rotations).toBeGreaterThan(50);
    expect(straddling).toBeGreaterThan(0);
    expect(seen.map((e) => e.line)).toEqual(expected);
  });

  it('ends once the clock passes until', async () => {
    const w = new ConmonLogWriter(path);
    w.write('stdout', 'kept\n');
    const seen: string[] = [];
    for await (const e of readLogs(path, { follow: true, pollMs: 20, until: Date.now() + 150 })) seen.push(e.line);
    expect(seen).toEqual(['kept']);
    w.close();
  });

  it('continues from the start after an in-place truncation', async () => {
    const w = new ConmonLogWriter(path);
    w.write('stdout', 'first\n');
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 20, signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value.line).toBe('first');
    const next = it.next(); // the follower is waiting at the end when the file is truncated
    await sleep(50);
    writeFileSync(path, ''); // truncate the same inode
    await sleep(50);
    w.write('stdout', 'second\n');
    expect((await next).value.line).toBe('second');
    ac.abort();
    w.close();
  });

  it('waits for a log that does not exist yet', async () => {
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 20, signal: ac.signal })[Symbol.asyncIterator]();
    const w = new Promise<ConmonLogWriter>((resolve) => setTimeout(() => resolve(new ConmonLogWriter(path)), 50));
    void w.then((x) => x.write('stdout', 'born\n'));
    expect((await it.next()).value.line).toBe('born');
    (await w).close();
    ac.abort();
  });

  it('abort ends a waiting follow promptly and closes the file descriptor and watcher', async () => {
    writeFileSync(path, `${conmonTimestamp(1n)} stdout F x\n`);
    // Warm up once: libuv keeps one inotify fd per loop for good after the first watch.
    await collect(path, { follow: true, signal: AbortSignal.timeout(50) });
    const before = openFds();
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 60_000, signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value.line).toBe('x');
    const pending = it.next(); // now waiting for more
    await sleep(30);
    expect(openFds()).toBeGreaterThan(before);
    const t0 = Date.now();
    ac.abort();
    expect((await pending).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await sleep(20);
    expect(openFds()).toBe(before);
  });

  it('abort releases the fd even while the consumer is not pulling', async () => {
    writeFileSync(path, `${conmonTimestamp(1n)} stdout F x\n${conmonTimestamp(2n)} stdout F y\n`);
    await collect(path, { follow: true, signal: AbortSignal.timeout(50) });
    const before = openFds();
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, signal: ac.signal })[Symbol.asyncIterator]();
    await it.next(); // suspended at a yield, holding the fd
    expect(openFds()).toBeGreaterThan(before);
    ac.abort();
    await sleep(20);
    expect(openFds()).toBe(before);
    expect((await it.next()).done).toBe(true);
  });

  it('follows 100 MB with bounded heap, reading only as the consumer pulls', async () => {
    const fd = openSync(path, 'a');
    const ts = conmonTimestamp(BigInt(Date.now()) * 1_000_000n);
    const block = Buffer.from(Array.from({ length: 1000 }, (_, i) => `${ts} ${i % 2 ? 'stderr' : 'stdout'} ${i % 5 === 0 ? 'P' : 'F'} ${'m'.repeat(60 + (i % 40))}\n`).join(''));
    const target = 100 * 1024 * 1024;
    let size = 0;
    let blocks = 0;
    for (; size < target; blocks++) size += writeSync(fd, block);
    closeSync(fd);

    // A slow consumer first: after pulling one entry, almost nothing has been read.
    const stats = { bytesRead: 0 };
    const slow = readLogs(path, { follow: true, isRunning: () => false, stats })[Symbol.asyncIterator]();
    await slow.next();
    await sleep(50);
    expect(stats.bytesRead).toBeLessThanOrEqual(64 * 1024);
    await slow.return(undefined);

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    let count = 0;
    let bytes = 0;
    for await (const e of readLogs(path, { follow: true, isRunning: () => false })) {
      count++;
      bytes += e.data.length;
      if ((count & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const growthMb = (peak - heapBefore) / 1024 / 1024;
    console.log(`100 MB follow: ${count} entries, ${bytes} content bytes, heap growth peak ${growthMb.toFixed(1)} MB`);
    expect(count).toBe(blocks * 800); // every 5th record is a P piece joined to the next
    expect(growthMb).toBeLessThan(64);
  }, 120_000);
});

describe('a record caught mid-write', () => {
  it('reads a record appended in two writes only once it is complete', async () => {
    const ac = new AbortController();
    const it = readLogs(path, { follow: true, pollMs: 20, signal: ac.signal })[Symbol.asyncIterator]();
    const ts = conmonTimestamp(5n);
    writeFileSync(path, `${ts} stdout F hal`);
    await sleep(60);
    appendFileSync(path, 'f\n');
    expect((await it.next()).value.line).toBe('half');
    ac.abort();
  });
});
