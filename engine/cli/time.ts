// Docker's time arguments: unix seconds (with optional fraction), RFC 3339 timestamps, or a Go duration
// relative to now ("10m", "1h30m", "1.5s").
import { UsageError } from './errors';

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : null;
}

const MAX_DATE_MS = 8.64e15;

function parseTimeValue(trimmed: string, now: number): number | null {
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const duration = parseDuration(trimmed);
  if (duration !== null) return now - duration;
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? null : parsed;
}

/** Returns unix milliseconds. */
export function parseTimeArg(text: string, now = Date.now()): number {
  const ms = parseTimeValue(text.trim(), now);
  // Huge digit runs parse as Infinity or beyond the Date range (±8.64e15 ms), which no date can hold.
  if (ms !== null && Math.abs(ms) <= MAX_DATE_MS) return ms;
  throw new UsageError(`invalid time "${text}": use unix seconds, an RFC 3339 time (2026-01-02T15:04:05Z) or a duration (10m, 1h)`);
}

/** RFC 3339 with 9 fractional digits, as docker prints. */
export function formatNanoTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T15:04:05.123Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}
