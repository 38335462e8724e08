// `--health-cmd --health-interval --health-timeout --health-retries --health-start-period --no-healthcheck`
// (docker run's flags) to the contract's HealthConfig. Pure, so the CLI and the Docker API can share it.
import type { HealthConfig } from '../api/containers';

export interface HealthFlags {
  cmd?: string;
  interval?: string;
  timeout?: string;
  retries?: string;
  startPeriod?: string;
  none?: boolean;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go durations as docker takes them: `30s`, `1m30s`, `500ms`, `1.5h`. Throws with the flag's name. */
export function parseGoDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`invalid duration "${text}" for --${flag}: use a number with a unit, like 30s, 1m30s or 500ms`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

/** undefined when no health flag was given (the image's HEALTHCHECK then applies). */
export function healthFromFlags(f: HealthFlags): Partial<HealthConfig> & { test: string[] } | undefined {
  const tuned = f.interval !== undefined || f.timeout !== undefined || f.retries !== undefined || f.startPeriod !== undefined;
  if (f.none) {
    if (f.cmd !== undefined || tuned) throw new Error('--no-healthcheck conflicts with the --health-* options');
    return { test: ['NONE'] };
  }
  if (f.cmd === undefined) {
    if (tuned) throw new Error('--health-interval, --health-timeout, --health-retries and --health-start-period need --health-cmd');
    return undefined;
  }
  const out: Partial<HealthConfig> & { test: string[] } = { test: ['CMD-SHELL', f.cmd] };
  const positive = (text: string, flag: string) => {
    const ms = parseGoDuration(text, flag);
    if (ms <= 0) throw new Error(`--${flag} must be positive (got ${text})`);
    return ms;
  };
  if (f.interval !== undefined) out.intervalMs = positive(f.interval, 'health-interval');
  if (f.timeout !== undefined) out.timeoutMs = positive(f.timeout, 'health-timeout');
  if (f.startPeriod !== undefined) out.startPeriodMs = parseGoDuration(f.startPeriod, 'health-start-period');
  if (f.retries !== undefined) {
    if (!/^\d+$/.test(f.retries) || Number(f.retries) < 1) throw new Error(`invalid value "${f.retries}" for --health-retries: expected a whole number of 1 or more`);
    out.retries = Number(f.retries);
  }
  return out;
}
