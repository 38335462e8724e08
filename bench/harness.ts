// The benchmark harness: each case measures our engine and, when installed, the same operation on docker and
// podman in the same run (these machines are noisy, so only side-by-side ratios mean anything).
import { spawn } from 'node:child_process';
import os from 'node:os';

/** `fd`, `docker` (dockerd), `docker→fd` (the docker CLI against our Docker API socket), `runc`, `floor`, ... */
export type Peer = string;

export interface CaseResult {
  /** Median per peer, in the case's unit; a peer that is not installed is absent. */
  medians: Partial<Record<Peer, number>>;
  unit: 'ms' | 'MB' | 'MB/s';
  /** Names the row when a case reports several measurements (`ps/200`, `rss/idle-0`). */
  row?: string;
  notes?: string[];
}

export interface BenchCase {
  name: string;
  description: string;
  run(runs: number): Promise<CaseResult | CaseResult[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `runs` times after one warm-up and returns the median of the returned numbers. */
export async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await fn());
  return median(samples);
}

/**
 * Medians of several peers measured round-robin (one warm-up round, then `runs` rounds of every peer in turn),
 * so a load change on a shared machine hits every peer alike instead of whichever ran last.
 */
export async function interleaved(runs: number, peers: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(peers).map((p) => [p, []]));
  for (let round = 0; round <= runs; round++) {
    for (const [peer, fn] of Object.entries(peers)) {
      const ms = await fn();
      if (round > 0) samples[peer]!.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([p, s]) => [p, median(s)]));
}

/** Wall time of a command to completion, in ms; rejects on a non-zero exit. */
export function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code === 0) resolve(Number(process.hrtime.bigint() - start) / 1e6);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

export function machineLine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.versions.node}`;
}

/** The 1-minute load average: on a shared machine it says more about the numbers than anything else. */
export function loadLine(): string {
  return `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;
}

const PEER_ORDER: Peer[] = ['fd', 'docker', 'docker→fd', 'podman', 'runc', 'floor'];

/** Ratios are fd/peer for every unit: below 1 is better for ms and MB, above 1 is better for MB/s. */
export function formatTable(rows: { name: string; result: CaseResult }[]): string {
  const seen = [...new Set(rows.flatMap((r) => Object.keys(r.result.medians)))];
  const used = [...PEER_ORDER.filter((p) => seen.includes(p)), ...seen.filter((p) => !PEER_ORDER.includes(p))];
  const header = ['case', 'unit', ...used, ...used.filter((p) => p !== 'fd').map((p) => `fd/${p}`)];
  const lines = rows.map(({ name, result }) => {
    const m = result.medians;
    const cells = used.map((p) => (m[p] === undefined ? '—' : m[p]!.toFixed(1)));
    const ratios = used.filter((p) => p !== 'fd').map((p) => (m[p] && m.fd !== undefined ? (m.fd / m[p]!).toFixed(2) : '—'));
    return [name, result.unit, ...cells, ...ratios];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
