// `fd volume create/ls/inspect/rm/prune`, docker's names, flags and output.
import type { Command, CliContext } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { parseKeyValues } from '../key-values';
import { trimmedTable } from '../table';
import { forEachName } from '../each-name';
import { runSubcommand, type Subcommand } from '../subcommands';
import type { VolumeFilters } from '../../api/volumes';
import { renderFormat } from './inspect';

const usage = `fd volume COMMAND

Commands:
  create [-d local] [--label K=V]... [NAME]
  ls [-q] [--filter dangling=true|false|label=K[=V]|name=|driver=]... [--format json|TEMPLATE]
  inspect [-f TEMPLATE] VOLUME...
  rm [-f] VOLUME...
  prune [-f] [-a] [--filter label=K[=V]]...`;

async function create(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    driver: { type: 'string', short: 'd', description: 'Volume driver (only local)', value: 'DRIVER' },
    label: { type: 'list', description: 'Set a label', value: 'KEY=VALUE' },
    opt: { type: 'list', short: 'o', description: 'Driver options (the local driver here takes none)', value: 'KEY=VALUE' },
    name: { type: 'string', description: 'Volume name (same as the argument)', value: 'NAME' },
  });
  if (args.length > 1) throw new UsageError('"fd volume create" takes at most one NAME');
  if (args.length && flags.name && flags.name !== args[0]) throw new UsageError(`conflicting names: --name ${flags.name} and ${args[0]}`);
  const v = await (await ctx.client()).call('volumes.create', {
    name: args[0] ?? flags.name,
    driver: flags.driver ?? 'local',
    options: parseKeyValues(flags.opt),
    labels: parseKeyValues(flags.label),
  });
  ctx.io.stdout.write(`${v.name}\n`);
  return 0;
}

function parseFilters(values: string[]): VolumeFilters {
  const out: VolumeFilters = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key === 'dangling') {
      if (!['true', 'false', '1', '0'].includes(value)) throw new UsageError(`bad filter "${raw}": dangling takes true or false`);
      out.dangling = value === 'true' || value === '1';
    } else if (key === 'label' || key === 'name' || key === 'driver') (out[key] ??= []).push(value);
    else throw new UsageError(`bad filter "${raw}": use dangling=, label=, name= or driver=`);
  }
  return out;
}

async function ls(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    quiet: { type: 'bool', short: 'q', description: 'Only names' },
    filter: { type: 'list', short: 'f', description: 'dangling=, label=, name=, driver=', value: 'KEY=VALUE' },
    format: { type: 'string', description: 'json, or a template such as {{.Name}}', value: 'FORMAT' },
  });
  if (args.length) throw new UsageError(`"fd volume ls" takes no arguments (got ${args.join(' ')})`);
  const list = await (await ctx.client()).call('volumes.list', { filters: parseFilters(flags.filter) });
  if (flags.format === 'json') ctx.io.stdout.write(`${JSON.stringify(list)}\n`);
  else if (flags.format) ctx.io.stdout.write(list.map((v) => `${renderFormat(flags.format!, v)}\n`).join(''));
  else if (flags.quiet) ctx.io.stdout.write(list.map((v) => `${v.name}\n`).join(''));
  else ctx.io.stdout.write(trimmedTable([['DRIVER', 'VOLUME NAME'], ...list.map((v) => [v.driver, v.name])], 5));
  return 0;
}

async function inspect(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'A template such as {{.Mountpoint}}', value: 'TEMPLATE' } });
  if (!args.length) throw new UsageError('"fd volume inspect" needs at least one VOLUME');
  const client = await ctx.client();
  const { results: out, code } = await forEachName(ctx, args, (name) => client.call('volumes.inspect', { name }));
  if (flags.format) ctx.io.stdout.write(out.map((v) => `${renderFormat(flags.format!, v)}\n`).join(''));
  else ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return code;
}

async function rm(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { force: { type: 'bool', short: 'f', description: 'No error for a volume that does not exist' } });
  if (!args.length) throw new UsageError('"fd volume rm" needs at least one VOLUME');
  const client = await ctx.client();
  const { code } = await forEachName(ctx, args, async (name) => {
    await client.call('volumes.remove', { name, force: flags.force });
    ctx.io.stdout.write(`${name}\n`);
  });
  return code;
}

function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(3).replace(/\.?0+$/, '')}${units[i]}`;
}

async function prune(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    force: { type: 'bool', short: 'f', description: 'Do not prompt (fd never prompts)' },
    all: { type: 'bool', short: 'a', description: 'Remove all unused volumes, not just anonymous ones' },
    filter: { type: 'list', description: 'label=KEY[=VALUE] or label!=KEY[=VALUE]', value: 'FILTER' },
  });
  if (args.length) throw new UsageError('"fd volume prune" takes no arguments');
  const label = flags.filter.map((f) => {
    if (f.startsWith('label=')) return f.slice('label='.length);
    if (f.startsWith('label!=')) return `!${f.slice('label!='.length)}`;
    throw new UsageError(`bad filter "${f}": only label= and label!= are supported`);
  });
  const { removed, spaceReclaimed } = await (await ctx.client()).call('volumes.prune', { all: flags.all, filters: { label } });
  if (removed.length) ctx.io.stdout.write(`Deleted Volumes:\n${removed.map((n) => `${n}\n`).join('')}\n`);
  ctx.io.stdout.write(`Total reclaimed space: ${formatBytes(spaceReclaimed)}\n`);
  return 0;
}

const subcommands: Record<string, Subcommand> = {
  create,
  ls,
  list: ls,
  inspect,
  rm,
  remove: rm,
  prune,
};

export const volumeCommand: Command = {
  name: 'volume',
  summary: 'Manage volumes: create, ls, inspect, rm, prune',
  usage,
  run: (argv, ctx) => runSubcommand('volume', usage, subcommands, argv, ctx),
};
