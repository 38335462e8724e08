import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { containerStates, type ContainerStatus, type ContainerSummary } from '../../api/containers';
import { formatPort } from '../../network/ports';

interface Filters {
  status?: ContainerStatus[];
  label?: string[];
  name?: string[];
  id?: string[];
}

export function parsePsFilters(values: string[]): Filters {
  const f: Required<Filters> = { status: [], label: [], name: [], id: [] };
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad filter "${raw}": expected key=value (status, label, name, id)`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key === 'status') {
      if (!(containerStates as readonly string[]).includes(value)) throw new UsageError(`invalid filter 'status=${value}': use one of ${containerStates.join(', ')}`);
      f.status.push(value as ContainerStatus);
    } else if (key === 'label' || key === 'name' || key === 'id') f[key].push(value);
    else throw new UsageError(`invalid filter "${key}": use status, label, name or id`);
  }
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v.length)) as Filters;
}

function ago(ms: number): string {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 172800) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n');
}

export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: 'fd ps [-a] [-q] [--no-trunc] [-f key=value]... [--format json]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      all: { type: 'bool', short: 'a', description: 'Show all containers (default shows just running)' },
      quiet: { type: 'bool', short: 'q', description: 'Only display container IDs' },
      'no-trunc': { type: 'bool', description: "Don't truncate output" },
      filter: { type: 'list', short: 'f', description: 'Filter: status=, label=, name=, id=', value: 'KEY=VALUE' },
      format: { type: 'string', description: 'json: one container per line as JSON' },
    });
    if (args.length) throw new UsageError(`"fd ps" takes no arguments (got ${args.join(' ')})`);
    const list: ContainerSummary[] = await (await ctx.client()).call('containers.list', { all: flags.all, filters: parsePsFilters(flags.filter) });
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
    const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']];
    for (const c of list) rows.push([id(c), trunc(c.image, 30), JSON.stringify(trunc(c.command, 20)), ago(c.created), c.status, c.ports.map(formatPort).join(', '), c.name]);
    out.write(`${table(rows)}\n`);
    return 0;
  },
};
