import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { table } from '../table';
import type { ContainerStatus, ContainerSummary } from '../../api/containers';
import { containerStates } from '../../api/schema-free';
import { formatPort } from '../../network/port-spec';
import { ago, formatBytes } from '../format';

const healthStates = ['starting', 'healthy', 'unhealthy', 'none'] as const;
type HealthFilter = (typeof healthStates)[number];

interface Filters {
  status?: ContainerStatus[];
  label?: string[];
  name?: string[];
  id?: string[];
  ancestor?: string[];
  exited?: number[];
  health?: HealthFilter[];
  network?: string[];
  volume?: string[];
  before?: string;
  since?: string;
}

const listKeys = ['label', 'name', 'id', 'ancestor', 'network', 'volume'] as const;
const known = 'status, label, name, id, ancestor, exited, health, network, volume, before, since, is-task';

export function parsePsFilters(values: string[]): Filters {
  const f: Filters = {};
  const push = <K extends keyof Filters>(key: K, v: NonNullable<Filters[K]> extends (infer T)[] ? T : never) => {
    ((f[key] ??= [] as never) as unknown[]).push(v);
  };
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad filter "${raw}": expected key=value (${known})`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key === 'status') {
      if (!(containerStates as readonly string[]).includes(value)) throw new UsageError(`invalid filter 'status=${value}': use one of ${containerStates.join(', ')}`);
      push('status', value as ContainerStatus);
    } else if (key === 'exited') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid filter 'exited=${value}': give an exit code (exited=0)`);
      push('exited', Number(value));
    } else if (key === 'health') {
      if (!(healthStates as readonly string[]).includes(value)) throw new UsageError(`invalid filter 'health=${value}': use one of ${healthStates.join(', ')}`);
      push('health', value as HealthFilter);
    } else if (key === 'before' || key === 'since') {
      f[key] = value;
    } else if (key === 'is-task') {
      // Swarm tasks do not exist here: nothing to filter.
    } else if ((listKeys as readonly string[]).includes(key)) push(key as (typeof listKeys)[number], value);
    else throw new UsageError(`invalid filter "${key}": use ${known}`);
  }
  return f;
}

export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: 'fd ps [-a] [-q] [-s] [-n N | -l] [--no-trunc] [-f key=value]... [--format json]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      all: { type: 'bool', short: 'a', description: 'Show all containers (default shows just running)' },
      quiet: { type: 'bool', short: 'q', description: 'Only display container IDs' },
      'no-trunc': { type: 'bool', description: "Don't truncate output" },
      filter: { type: 'list', short: 'f', description: `Filter: ${known.replace(/, /g, '=, ')}=`, value: 'KEY=VALUE' },
      last: { type: 'string', short: 'n', description: 'Show the N last created containers (all states)', value: 'N' },
      latest: { type: 'bool', short: 'l', description: 'Show the latest created container (all states)' },
      size: { type: 'bool', short: 's', description: "Display the size of each container's writable layer" },
      format: { type: 'string', description: 'json: one container per line as JSON' },
    });
    if (args.length) throw new UsageError(`"fd ps" takes no arguments (got ${args.join(' ')})`);
    if (flags.last !== undefined && !/^-?\d+$/.test(flags.last)) throw new UsageError(`invalid --last "${flags.last}": a number`);
    // docker: -n with a negative or zero count means no limit.
    const last = flags.latest ? 1 : flags.last !== undefined && Number(flags.last) > 0 ? Number(flags.last) : undefined;
    const list: ContainerSummary[] = await (await ctx.client()).call('containers.list', { all: flags.all, filters: parsePsFilters(flags.filter), last, size: flags.size });
    const out = ctx.io.stdout;
    const id = (c: ContainerSummary) => (flags['no-trunc'] ? c.id : c.id.slice(0, 12));
    if (flags.quiet) {
      for (const c of list) out.write(`${id(c)}\n`);
      return 0;
    }
    if (flags.format === 'json') {
      for (const c of list) out.write(`${JSON.stringify(c)}\n`);
      return 0;
    }
    if (flags.format) throw new UsageError(`unsupported --format "${flags.format}": use json`);
    const trunc = (s: string, n: number) => (flags['no-trunc'] || s.length <= n ? s : `${s.slice(0, n - 1)}…`);
    const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(flags.size ? ['SIZE'] : [])]];
    for (const c of list) {
      const size = flags.size ? [formatBytes(c.sizeRw ?? 0)] : [];
      rows.push([id(c), trunc(c.image, 30), JSON.stringify(trunc(c.command, 20)), ago(c.created), c.status, c.ports.map(formatPort).join(', '), c.name, ...size]);
    }
    out.write(`${table(rows)}\n`);
    return 0;
  },
};
