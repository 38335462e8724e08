import type { Command, CliContext } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { parseKeyValues } from '../key-values';
import { trimmedTable } from '../table';
import { forEachName } from '../each-name';
import { runSubcommand, type Subcommand } from '../subcommands';
import type { NetworkInfo } from '../../api/networks';

const usage = `fd network COMMAND

Commands:
  create [--subnet CIDR] [--gateway IP] [--internal] [--label K=V]... [--dns=false] NAME
  ls [-q] [--filter name=|id=|driver=|label=]... [--format json]
  inspect NETWORK...
  rm NETWORK...
  connect [--alias NAME]... [--ip IP] NETWORK CONTAINER
  disconnect [-f] NETWORK CONTAINER
  prune [-f] [--filter label=K[=V]]...`;

async function create(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    subnet: { type: 'string', description: 'IPv4 subnet in CIDR form', value: 'CIDR' },
    gateway: { type: 'string', description: 'Gateway address inside the subnet', value: 'IP' },
    internal: { type: 'bool', description: 'No access to outside networks' },
    label: { type: 'list', description: 'Set a label', value: 'KEY=VALUE' },
    driver: { type: 'string', short: 'd', description: 'Only bridge is supported', value: 'DRIVER' },
    dns: { type: 'string', description: 'Name resolution between containers (default true)', value: 'BOOL' },
  });
  if (args.length !== 1) throw new UsageError('"fd network create" needs exactly one NAME');
  if (flags.driver && flags.driver !== 'bridge') throw new UsageError(`driver "${flags.driver}" is not supported: only bridge`);
  const n = await (await ctx.client()).call('networks.create', {
    name: args[0]!,
    subnet: flags.subnet,
    gateway: flags.gateway,
    internal: flags.internal,
    dns: flags.dns === undefined ? true : !['false', '0'].includes(flags.dns),
    labels: parseKeyValues(flags.label),
  });
  ctx.io.stdout.write(`${n.id}\n`);
  return 0;
}

function parseFilters(values: string[]): { name?: string[]; id?: string[]; driver?: string[]; label?: string[] } {
  const out: Record<string, string[]> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const key = raw.slice(0, eq);
    if (eq <= 0 || !['name', 'id', 'driver', 'label'].includes(key)) throw new UsageError(`bad filter "${raw}": use name=, id=, driver= or label=`);
    (out[key] ??= []).push(raw.slice(eq + 1));
  }
  return out;
}

async function ls(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    quiet: { type: 'bool', short: 'q', description: 'Only ids' },
    filter: { type: 'list', short: 'f', description: 'name=, id=, driver=, label=', value: 'KEY=VALUE' },
    format: { type: 'string', description: 'json for machine output' },
    'no-trunc': { type: 'bool', description: 'Full ids' },
  });
  if (args.length) throw new UsageError(`"fd network ls" takes no arguments (got ${args.join(' ')})`);
  const list = await (await ctx.client()).call('networks.list', { filters: parseFilters(flags.filter) });
  const id = (n: NetworkInfo) => (flags['no-trunc'] ? n.id : n.id.slice(0, 12));
  if (flags.format === 'json') ctx.io.stdout.write(`${JSON.stringify(list)}\n`);
  else if (flags.quiet) ctx.io.stdout.write(list.map((n) => `${id(n)}\n`).join(''));
  else {
    const rows = [['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'SCOPE'], ...list.map((n) => [id(n), n.name, n.driver, n.subnet ?? '', n.scope])];
    ctx.io.stdout.write(trimmedTable(rows));
  }
  return 0;
}

async function inspect(argv: string[], ctx: CliContext): Promise<number> {
  const { args } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'json (default)' } });
  if (!args.length) throw new UsageError('"fd network inspect" needs at least one NETWORK');
  const client = await ctx.client();
  const out: NetworkInfo[] = [];
  for (const ref of args) out.push(await client.call('networks.inspect', { id: ref }));
  ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

async function rm(argv: string[], ctx: CliContext): Promise<number> {
  const { args } = parseArgs(argv, {});
  if (!args.length) throw new UsageError('"fd network rm" needs at least one NETWORK');
  const client = await ctx.client();
  const { code } = await forEachName(ctx, args, async (ref) => {
    await client.call('networks.remove', { id: ref });
    ctx.io.stdout.write(`${ref}\n`);
  });
  return code;
}

async function connect(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    alias: { type: 'list', description: 'Extra DNS name on this network', value: 'NAME' },
    ip: { type: 'string', description: 'Fixed IPv4 address', value: 'IP' },
  });
  if (args.length !== 2) throw new UsageError('usage: fd network connect [--alias NAME] [--ip IP] NETWORK CONTAINER');
  await (await ctx.client()).call('networks.connect', { network: args[0]!, container: args[1]!, aliases: flags.alias, ip: flags.ip });
  return 0;
}

async function disconnect(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { force: { type: 'bool', short: 'f', description: 'Force' } });
  if (args.length !== 2) throw new UsageError('usage: fd network disconnect [-f] NETWORK CONTAINER');
  await (await ctx.client()).call('networks.disconnect', { network: args[0]!, container: args[1]!, force: flags.force });
  return 0;
}

async function prune(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, {
    force: { type: 'bool', short: 'f', description: 'Do not prompt (fd never prompts)' },
    filter: { type: 'list', description: 'label=KEY[=VALUE]', value: 'FILTER' },
  });
  if (args.length) throw new UsageError('"fd network prune" takes no arguments');
  const label = flags.filter.map((f) => {
    if (!f.startsWith('label=')) throw new UsageError(`bad filter "${f}": only label= is supported`);
    return f.slice('label='.length);
  });
  const { removed } = await (await ctx.client()).call('networks.prune', { filters: { label } });
  if (removed.length) ctx.io.stdout.write(`Deleted Networks:\n${removed.map((n) => `${n}\n`).join('')}`);
  return 0;
}

const subcommands: Record<string, Subcommand> = {
  create,
  ls,
  list: ls,
  inspect,
  rm,
  remove: rm,
  connect,
  disconnect,
  prune,
};

export const networkCommand: Command = {
  name: 'network',
  summary: 'Manage networks: create, ls, inspect, rm, connect, disconnect, prune',
  usage,
  run: (argv, ctx) => runSubcommand('network', usage, subcommands, argv, ctx),
};
