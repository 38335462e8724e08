// `fd create`, and the container flags `fd run` shares with it.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { parseArgs, type FlagSpecs, type ParsedFlags } from '../args';
import { UsageError } from '../errors';
import type { ContainerCreateInput } from '../../api/containers';
import { mountsFromFlags } from '../../containers/mount-spec';
import { networkFromFlags } from '../../containers/networking-flags';
import { healthFromFlags } from '../../containers/health-flags';

export const containerFlags = {
  name: { type: 'string', description: 'Assign a name to the container', value: 'NAME' },
  env: { type: 'list', short: 'e', description: 'Set environment variables', value: 'KEY=VALUE' },
  'env-file': { type: 'list', description: 'Read environment variables from a file', value: 'FILE' },
  workdir: { type: 'string', short: 'w', description: 'Working directory inside the container', value: 'DIR' },
  user: { type: 'string', short: 'u', description: 'Username or UID (format: <name|uid>[:<group|gid>])', value: 'USER' },
  entrypoint: { type: 'string', description: 'Overwrite the default entrypoint of the image', value: 'CMD' },
  label: { type: 'list', short: 'l', description: 'Set metadata on a container', value: 'KEY=VALUE' },
  restart: { type: 'string', description: 'Restart policy: no, always, unless-stopped, on-failure[:N]', value: 'POLICY' },
  hostname: { type: 'string', short: 'h', description: 'Container host name', value: 'NAME' },
  'stop-signal': { type: 'string', description: 'Signal to stop the container', value: 'SIGNAL' },
  'stop-timeout': { type: 'string', description: 'Seconds to wait before killing the container on stop', value: 'N' },
  memory: { type: 'string', short: 'm', description: 'Memory limit (e.g. 512m, 1g)', value: 'BYTES' },
  cpus: { type: 'string', description: 'Number of CPUs (e.g. 1.5)', value: 'N' },
  'pids-limit': { type: 'string', description: 'Limit the number of processes', value: 'N' },
  rootfs: { type: 'string', description: 'Run from this directory as the root filesystem instead of an image', value: 'DIR' },
  interactive: { type: 'bool', short: 'i', description: 'Keep STDIN open' },
  tty: { type: 'bool', short: 't', description: 'Allocate a pseudo-TTY' },
  rm: { type: 'bool', description: 'Remove the container when it exits' },
  volume: { type: 'list', short: 'v', description: 'Bind mount a host path or mount a volume', value: '[SRC:]DST[:ro]' },
  mount: { type: 'list', description: 'Attach a mount (type=bind|volume|tmpfs,source=,target=,readonly,...)', value: 'MOUNT' },
  tmpfs: { type: 'list', description: 'Mount a tmpfs', value: 'DST[:size=64m,mode=1777]' },
  'read-only': { type: 'bool', description: "Mount the container's root filesystem as read only" },
  publish: { type: 'list', short: 'p', description: "Publish a container's port to the host", value: '[IP:][HOST:]CTR[/PROTO]' },
  'publish-all': { type: 'bool', short: 'P', description: 'Publish all exposed ports to random host ports' },
  network: { type: 'string', description: 'Connect the container to a network (bridge, host, none or a name)', value: 'NETWORK' },
  net: { type: 'string', description: 'Same as --network', value: 'NETWORK' },
  'network-alias': { type: 'list', description: 'Add a network-scoped alias for the container', value: 'ALIAS' },
  ip: { type: 'string', description: 'IPv4 address on the --network', value: 'ADDRESS' },
  'health-cmd': { type: 'string', description: 'Command to run to check health', value: 'CMD' },
  'health-interval': { type: 'string', description: 'Time between running the check (e.g. 30s)', value: 'DURATION' },
  'health-timeout': { type: 'string', description: 'Maximum time to allow one check to run', value: 'DURATION' },
  'health-retries': { type: 'string', description: 'Consecutive failures needed to report unhealthy', value: 'N' },
  'health-start-period': { type: 'string', description: 'Start period for the container to initialize', value: 'DURATION' },
  'no-healthcheck': { type: 'bool', description: 'Disable any container-specified HEALTHCHECK' },
} as const satisfies FlagSpecs;

export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid memory "${text}": use a number with an optional unit b, k, m, g (e.g. 512m)`);
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()]!;
  return Math.round(Number(m[1]) * mult);
}

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid value "${text}" for --${flag}: expected a whole number`);
  return Number(text);
}

export function parseRestart(text: string): NonNullable<ContainerCreateInput['restartPolicy']> {
  const [name, count] = text.split(':', 2);
  if (name === 'on-failure') return { name, maximumRetryCount: count ? positiveInt(count, 'restart') : 0 };
  if ((name === 'no' || name === 'always' || name === 'unless-stopped') && count === undefined) return { name, maximumRetryCount: 0 };
  throw new UsageError(`invalid restart policy "${text}": use no, always, unless-stopped or on-failure[:N]`);
}

export function readEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read env file ${file}: ${(err as Error).message}`);
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.includes('=') ? l : process.env[l] !== undefined ? `${l}=${process.env[l]}` : l));
}

/** `-e KEY` without a value takes KEY from the caller's environment, like docker. */
function expandEnv(values: string[], env: NodeJS.ProcessEnv): string[] {
  return values.map((v) => (v.includes('=') ? v : env[v] !== undefined ? `${v}=${env[v]}` : v)).filter((v) => v.includes('='));
}

/** Turns parsed flags and positionals (IMAGE [CMD...], or CMD... with --rootfs) into a create request. */
export function buildCreateInput(flags: ParsedFlags<typeof containerFlags>, args: string[], env: NodeJS.ProcessEnv): ContainerCreateInput {
  const input: ContainerCreateInput = {};
  let rest = args;
  if (flags.rootfs) input.rootfs = path.resolve(flags.rootfs);
  else {
    if (!args[0]) throw new UsageError('requires at least 1 argument: an image (or --rootfs DIR)');
    input.image = args[0];
    rest = args.slice(1);
  }
  if (rest.length) input.cmd = rest;
  if (flags.name) input.name = flags.name;
  const envs = [...flags['env-file'].flatMap(readEnvFile), ...expandEnv(flags.env, env)];
  if (envs.length) input.env = envs;
  if (flags.workdir) input.workingDir = flags.workdir;
  if (flags.user !== undefined) input.user = flags.user;
  if (flags.entrypoint !== undefined) input.entrypoint = flags.entrypoint === '' ? [] : [flags.entrypoint];
  if (flags.label.length) {
    input.labels = Object.fromEntries(
      flags.label.map((l) => {
        const eq = l.indexOf('=');
        return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
      }),
    );
  }
  if (flags.restart) input.restartPolicy = parseRestart(flags.restart);
  if (flags.hostname) input.hostname = flags.hostname;
  if (flags['stop-signal']) input.stopSignal = flags['stop-signal'];
  if (flags['stop-timeout'] !== undefined) input.stopTimeout = positiveInt(flags['stop-timeout'], 'stop-timeout');
  const resources: NonNullable<ContainerCreateInput['resources']> = {};
  if (flags.memory) resources.memory = parseMemory(flags.memory);
  if (flags.cpus) {
    const n = Number(flags.cpus);
    if (!(n > 0)) throw new UsageError(`invalid value "${flags.cpus}" for --cpus: expected a positive number`);
    resources.cpus = n;
  }
  if (flags['pids-limit']) resources.pidsLimit = positiveInt(flags['pids-limit'], 'pids-limit');
  if (Object.keys(resources).length) input.resources = resources;
  input.tty = flags.tty;
  input.openStdin = flags.interactive;
  input.autoRemove = flags.rm;
  try {
    const mounts = mountsFromFlags({ volume: flags.volume, mount: flags.mount, tmpfs: flags.tmpfs }, process.cwd());
    if (mounts.length) input.mounts = mounts;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (flags['read-only']) input.readOnlyRootfs = true;
  Object.assign(input, networkFromFlags({ publish: flags.publish, publishAll: flags['publish-all'], network: flags.network ?? flags.net, aliases: flags['network-alias'], ip: flags.ip }));
  try {
    const health = healthFromFlags({ cmd: flags['health-cmd'], interval: flags['health-interval'], timeout: flags['health-timeout'], retries: flags['health-retries'], startPeriod: flags['health-start-period'], none: flags['no-healthcheck'] });
    if (health) input.healthcheck = health;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return input;
}

export const createCommand: Command = {
  name: 'create',
  summary: 'Create a new container',
  usage: 'fd create [OPTIONS] IMAGE [COMMAND] [ARG...]   |   fd create [OPTIONS] --rootfs DIR COMMAND [ARG...]',
  ownsShortH: true,
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, containerFlags, { interspersed: false });
    const input = buildCreateInput(flags, args, ctx.io.env);
    const { id, warnings } = await (await ctx.client()).call('containers.create', input);
    for (const w of warnings) ctx.io.stderr.write(`WARNING: ${w}\n`);
    ctx.io.stdout.write(`${id}\n`);
    return 0;
  },
};
