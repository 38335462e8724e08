import type { Command, CliContext } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import type { EngineClient } from '../../api/client';
import type { ContainerStatsSample } from '../../api/container-stats';
import { table } from '../table';

/** docker's go-units sizes: "%.4g" of the value in base 1000 (kB, MB: I/O) or 1024 (KiB, MiB: memory). */
function units(n: number, base: 1000 | 1024): string {
  const names = base === 1000 ? ['B', 'kB', 'MB', 'GB', 'TB'] : ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= base && u < names.length - 1) {
    v /= base;
    u++;
  }
  return `${parseFloat(v.toPrecision(4))}${names[u]}`;
}
export const formatBinary = (n: number) => units(n, 1024);
export const formatDecimal = (n: number) => units(n, 1000);

/** One container's row as docker's `{{json .}}` names the columns. */
export interface StatsRow {
  ID: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

/** CPU % from two samples (docker: Δcontainer / Δhost × CPUs); memory without the reclaimable page cache. */
export function statsRow(s: ContainerStatsSample, pre: ContainerStatsSample | null): StatsRow {
  const id = s.id.slice(0, 12);
  if (!s.running) return { ID: id, Name: s.name, CPUPerc: '0.00%', MemUsage: '0B / 0B', MemPerc: '0.00%', NetIO: '0B / 0B', BlockIO: '0B / 0B', PIDs: '0' };
  let cpu = 0;
  if (pre?.running) {
    const dCpu = s.cpu.totalNs - pre.cpu.totalNs;
    const dSys = s.cpu.systemNs - pre.cpu.systemNs;
    if (dCpu > 0 && dSys > 0) cpu = (dCpu / dSys) * s.cpu.onlineCpus * 100;
  }
  const cache = s.cgroupVersion === '1' ? (s.memory.stats.total_inactive_file ?? 0) : (s.memory.stats.inactive_file ?? 0);
  const mem = Math.max(0, s.memory.usage - (cache < s.memory.usage ? cache : 0));
  const memPerc = s.memory.limit > 0 ? (mem / s.memory.limit) * 100 : 0;
  const nets = Object.values(s.networks);
  const rx = nets.reduce((a, n) => a + n.rxBytes, 0);
  const tx = nets.reduce((a, n) => a + n.txBytes, 0);
  const blk = (op: 'read' | 'write') => s.blkio.filter((b) => b.op === op).reduce((a, b) => a + b.value, 0);
  return {
    ID: id,
    Name: s.name,
    CPUPerc: `${cpu.toFixed(2)}%`,
    MemUsage: `${formatBinary(mem)} / ${formatBinary(s.memory.limit)}`,
    MemPerc: `${memPerc.toFixed(2)}%`,
    NetIO: `${formatDecimal(rx)} / ${formatDecimal(tx)}`,
    BlockIO: `${formatDecimal(blk('read'))} / ${formatDecimal(blk('write'))}`,
    PIDs: String(s.pids.current),
  };
}

export function statsTable(rows: StatsRow[]): string {
  const head = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];
  return table([head, ...rows.map((r) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs])]);
}

interface Tracked {
  order: number;
  last: ContainerStatsSample | null;
  pre: ContainerStatsSample | null;
  cancel: () => void;
  done: Promise<void>;
}

/** Keeps one stats stream per container and its last two samples. */
class Samples {
  private readonly tracked = new Map<string, Tracked>();
  private next = 0;
  constructor(
    private readonly client: EngineClient,
    private readonly onError: (ref: string, err: Error) => void,
  ) {}

  track(ref: string, samples = Infinity) {
    if (this.tracked.has(ref)) return;
    const stream = this.client.stream('containers.stats', { id: ref, stream: samples > 1 });
    const t: Tracked = { order: this.next++, last: null, pre: null, cancel: () => stream.cancel(), done: Promise.resolve() };
    t.done = (async () => {
      let n = 0;
      try {
        for await (const s of stream) {
          [t.pre, t.last] = [t.last, s];
          if (++n >= samples) break;
        }
        // The container stopped: docker shows it with zeros from then on.
        if (n < samples && t.last) t.last = { ...t.last, running: false };
      } catch (err) {
        if ((err as { code?: string }).code !== 'cancelled') this.onError(ref, err as Error);
      }
    })();
    this.tracked.set(ref, t);
  }

  /** Stops following containers not in `keep`. */
  retain(keep: Set<string>) {
    for (const [ref, t] of this.tracked) {
      if (keep.has(ref)) continue;
      t.cancel();
      this.tracked.delete(ref);
    }
  }

  rows(): StatsRow[] {
    return [...this.tracked.values()]
      .sort((a, b) => a.order - b.order)
      .filter((t) => t.last)
      .map((t) => statsRow(t.last!, t.pre));
  }

  allDone() {
    return Promise.all([...this.tracked.values()].map((t) => t.done));
  }

  stop() {
    for (const t of this.tracked.values()) t.cancel();
  }
}

function write(ctx: CliContext, rows: StatsRow[], json: boolean, redraw: boolean) {
  if (json) {
    ctx.io.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return;
  }
  // A terminal gets docker's in-place redraw; a pipe gets one table per refresh.
  ctx.io.stdout.write(`${redraw ? '\x1b[2J\x1b[H' : ''}${statsTable(rows)}\n`);
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Display a live stream of container resource usage',
  usage: 'fd stats [-a] [--no-stream] [--format json] [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      all: { type: 'bool', short: 'a', description: 'Show all containers (default shows just running)' },
      'no-stream': { type: 'bool', description: 'Print one table and exit' },
      'no-trunc': { type: 'bool', description: 'Accepted for docker compatibility' },
      format: { type: 'string', description: 'json: one container per line as JSON', value: 'FORMAT' },
    });
    const json = flags.format === 'json' || flags.format === '{{json .}}';
    if (flags.format && !json) throw new UsageError(`unsupported --format "${flags.format}": use json`);
    const client = await ctx.client();
    let failed = false;
    const samples = new Samples(client, (ref, err) => {
      failed = true;
      ctx.io.stderr.write(`Error response from daemon: ${err.message}${/No such container/.test(err.message) ? '' : ` (${ref})`}\n`);
    });
    const listed = async () => (await client.call('containers.list', { all: flags.all })).map((c) => c.id);
    // No names: every running (or -a: every) container, re-listed each refresh so new ones show up.
    const refresh = async () => {
      const refs = args.length ? args : await listed();
      if (!args.length) samples.retain(new Set(refs));
      for (const ref of refs) samples.track(ref, flags['no-stream'] ? 2 : Infinity);
    };
    if (flags['no-stream']) {
      // Two samples each (a second apart), so CPU % has a base; a stopped container gives its one zero sample.
      await refresh();
      await samples.allDone();
      write(ctx, samples.rows(), json, false);
      return failed ? 1 : 0;
    }
    const tty = (ctx.io.stdout as { isTTY?: boolean }).isTTY === true;
    let stopped = false;
    const stop = () => (stopped = true);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A reader that went away (fd stats | head) ends it too.
    ctx.io.stdout.once('error', stop);
    try {
      while (!stopped && ctx.io.stdout.writable) {
        await refresh();
        await new Promise((r) => setTimeout(r, 1000));
        if (stopped || !ctx.io.stdout.writable) break;
        if (args.length && failed && !samples.rows().length) return 1;
        write(ctx, samples.rows(), json, tty && !json);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.io.stdout.off('error', stop);
      samples.stop();
    }
    return 0;
  },
};
