// One k8s-file record, as conmon's write_k8s_log writes it:
//   <RFC3339Nano with ±hh:mm offset> <stdout|stderr> <P|F> <content>\n
// Only the header is ASCII; content is arbitrary bytes, so everything here works on Buffers.

export type LogStream = 'stdout' | 'stderr';

export interface RecordTime {
  /** Unix milliseconds (floored). */
  ms: number;
  /** The same instant in UTC with exactly 9 fractional digits: 2026-11-25T20:10:04.464400846Z */
  nano: string;
}

export interface RecordHeader extends RecordTime {
  stream: LogStream;
  /** P: conmon's read ended without a newline; the next piece of this stream continues the line. */
  partial: boolean;
  /** Index in the buffer where the content starts. */
  contentStart: number;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339 timestamp with up to 9 fractional digits; null when it is not one. */
export function parseTimestamp(text: string): RecordTime | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone![0] === '-' ? -1 : 1;
    offsetMinutes = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  const wholeSecondMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  if (!Number.isFinite(wholeSecondMs)) return null;
  const nanos = frac.padEnd(9, '0');
  const ms = wholeSecondMs + Math.floor(Number(nanos) / 1e6);
  const nano = `${new Date(wholeSecondMs).toISOString().slice(0, 19)}.${nanos}Z`;
  return { ms, nano };
}

const SPACE = 0x20;
const HEADER_MAX = 96; // a timestamp is at most ~35 bytes; anything longer is not a header

// conmon stamps every record of one read with the same time, so consecutive records repeat it.
let lastTimeText = '';
let lastTime: RecordTime | null = null;

/**
 * Parses the header of the record in buf[start, end) (end excludes the '\n').
 * Returns null for anything that is not a k8s-file record, so a damaged line is skipped, never fatal.
 */
export function parseRecordHeader(buf: Buffer, start: number, end: number): RecordHeader | null {
  const sp1 = buf.indexOf(SPACE, start);
  if (sp1 < 0 || sp1 >= end || sp1 - start > HEADER_MAX) return null;
  const timeText = buf.toString('latin1', start, sp1);
  let time: RecordTime | null;
  if (timeText === lastTimeText) time = lastTime;
  else {
    time = parseTimestamp(timeText);
    lastTimeText = timeText;
    lastTime = time;
  }
  if (!time) return null;
  // "stdout " / "stderr "
  const s = sp1 + 1;
  if (s + 7 > end || buf[s] !== 0x73 /* s */ || buf[s + 1] !== 0x74 /* t */ || buf[s + 2] !== 0x64 /* d */ || buf[s + 6] !== SPACE) return null;
  let stream: LogStream;
  if (buf[s + 3] === 0x6f && buf[s + 4] === 0x75 && buf[s + 5] === 0x74) stream = 'stdout';
  else if (buf[s + 3] === 0x65 && buf[s + 4] === 0x72 && buf[s + 5] === 0x72) stream = 'stderr';
  else return null;
  const f = s + 7;
  if (f >= end) return null;
  const flag = buf[f];
  if (flag !== 0x50 /* P */ && flag !== 0x46 /* F */) return null;
  // conmon always writes "<flag> "; tolerate a bare flag at the end of an empty record.
  if (f + 1 < end && buf[f + 1] !== SPACE) return null;
  return { ms: time.ms, nano: time.nano, stream, partial: flag === 0x50, contentStart: Math.min(f + 2, end) };
}

/** Formats one record the way conmon does (used by tests and by anything that writes k8s-file logs itself). */
export function formatRecord(timestamp: string, stream: LogStream, partial: boolean, content: Buffer | string): Buffer {
  const head = Buffer.from(`${timestamp} ${stream} ${partial ? 'P' : 'F'} `, 'latin1');
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return Buffer.concat([head, body, Buffer.from('\n')]);
}
