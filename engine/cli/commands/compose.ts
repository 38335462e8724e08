// `fd compose [-f FILE]... [-p NAME] [--profile P]... [--env-file F]... SUBCOMMAND`: the compose files are
// read and resolved by the engine (against this shell's working dir and environment), so the CLI, the
// desktop app and the web UI see the same model, plan and errors.
import type { Command, CliContext } from '../command';
import { formatFlagHelp, parseArgs, type FlagSpecs } from '../args';
import { UsageError } from '../errors';
import { table } from '../table';
import type { ComposeIssue, ComposePlan, ComposeProgress, PlanStep } from '../../api/compose';
import { formatComposeIssue } from '../../api/schema-free';
import type { EngineClient, EngineStream } from '../../api/client';
import { ProgressView } from './compose-progress';
import { printLogs } from './compose-logs';

const globalFlags = {
  file: { type: 'list', short: 'f', description: 'Compose file (repeatable; default compose.yaml in this dir or a parent)', value: 'FILE' },
  'project-name': { type: 'string', short: 'p', description: 'Project name', value: 'NAME' },
  profile: { type: 'list', description: 'Enable a profile (repeatable; also COMPOSE_PROFILES)', value: 'PROFILE' },
  'env-file': { type: 'list', description: 'Variables file instead of .env (repeatable)', value: 'FILE' },
  'project-directory': { type: 'string', description: 'Where .env and relative paths resolve (default: the first file\'s dir)', value: 'DIR' },
} satisfies FlagSpecs;

const LIFECYCLE = ['up', 'down', 'ps', 'logs', 'restart', 'stop', 'start', 'pull'];
const timeoutFlag = { type: 'string', short: 't', description: 'Seconds to wait for a container to stop before killing it', value: 'N' } as const;

/** Exit code for an invalid project, as docker compose uses for files it cannot load. */
export const EXIT_INVALID = 1;

function printIssues(ctx: CliContext, errors: ComposeIssue[]) {
  for (const issue of errors) ctx.io.stderr.write(`${formatComposeIssue(issue)}\n`);
}

function printWarnings(ctx: CliContext, warnings: string[]) {
  for (const w of warnings) ctx.io.stderr.write(`WARN: ${w}\n`);
}

const ACTION_WORDS: Record<string, string> = { create: 'Create', recreate: 'Recreate', start: 'Start', restart: 'Restart', keep: 'Keep', stop: 'Stop', remove: 'Remove', pull: 'Pull' };

export function formatPlanStep(step: PlanStep): string {
  switch (step.kind) {
    case 'network':
      return `${ACTION_WORDS[step.action]!.padEnd(8)}network   ${step.name}`;
    case 'volume':
      return `${ACTION_WORDS[step.action]!.padEnd(8)}volume    ${step.name}`;
    case 'image':
      return `Pull    image     ${step.image} (${step.services.join(', ')}: ${step.reason})`;
    case 'container':
      return `${ACTION_WORDS[step.action]!.padEnd(8)}container ${step.name}${step.reasons.length && step.action !== 'keep' ? ` (${step.reasons.join('; ')})` : ''}`;
  }
}

export function formatPlan(plan: ComposePlan): string {
  if (!plan.steps.length) return 'Nothing to do.\n';
  return `${plan.steps.map(formatPlanStep).join('\n')}\n`;
}

export const composeCommand: Command = {
  name: 'compose',
  summary: 'Define and run multi-container projects',
  usage: `fd compose [OPTIONS] COMMAND

Options:
${formatFlagHelp(globalFlags)}

Commands:
  config   Show the resolved project as YAML (--format json, --services, -q to only validate)
  plan     Show what "up" would do: create / recreate (and why) / keep / remove [SERVICE...]
  up       Create and start containers [-d] [--wait] [--force-recreate] [--no-deps] [--remove-orphans] [SERVICE...]
  down     Stop and remove containers and networks [-v: and named volumes] [--remove-orphans]
  ps       List the project's containers [-a] [-q] [--format json]
  logs     Show the containers' output [-f] [--tail N] [SERVICE...]
  start, stop, restart [-t N] [SERVICE...]
  pull     Pull the services' images [SERVICE...]`,
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, globalFlags, { interspersed: false });
    const [sub, ...rest] = args;
    if (!sub) throw new UsageError('missing a compose command (config, plan, ...)');
    const load = {
      workingDir: process.cwd(),
      files: flags.file.map((p) => ({ path: p })),
      projectDirectory: flags['project-directory'],
      envFiles: flags['env-file'],
      env: Object.fromEntries(Object.entries(ctx.io.env).filter((e): e is [string, string] => typeof e[1] === 'string')),
      profiles: flags.profile,
      projectName: flags['project-name'],
    };
    if (LIFECYCLE.includes(sub)) return lifecycle(ctx, sub, rest, load);
    if (sub === 'config') {
      const { flags: f } = parseArgs(rest, {
        format: { type: 'string', description: 'yaml (default) or json', value: 'FORMAT' },
        services: { type: 'bool', description: 'Print the service names, one per line' },
        quiet: { type: 'bool', short: 'q', description: 'Only validate' },
      });
      if (f.format && f.format !== 'yaml' && f.format !== 'json') throw new UsageError(`unknown format "${f.format}": use yaml or json`);
      const result = await (await ctx.client()).call('compose.config', load);
      printWarnings(ctx, result.warnings);
      if (!result.ok) {
        printIssues(ctx, result.errors);
        return EXIT_INVALID;
      }
      if (f.quiet) return 0;
      if (f.services) ctx.io.stdout.write(result.project.order.map((s) => `${s}\n`).join(''));
      else if (f.format === 'json') ctx.io.stdout.write(`${JSON.stringify(result.project, null, 2)}\n`);
      else ctx.io.stdout.write(result.yaml);
      return 0;
    }
    if (sub === 'plan') {
      const { flags: f, args: services } = parseArgs(rest, {
        'no-deps': { type: 'bool', description: "Don't include the services' dependencies" },
        'force-recreate': { type: 'bool', description: 'Recreate every container' },
        'no-recreate': { type: 'bool', description: 'Never recreate existing containers' },
        'remove-orphans': { type: 'bool', description: 'Remove containers of services not in the project' },
        format: { type: 'string', description: 'text (default) or json', value: 'FORMAT' },
      });
      const result = await (await ctx.client()).call('compose.plan', { ...load, services, ...planChoices(f) });
      printWarnings(ctx, result.warnings);
      if (!result.ok) {
        printIssues(ctx, result.errors);
        return EXIT_INVALID;
      }
      ctx.io.stdout.write(f.format === 'json' ? `${JSON.stringify(result.plan, null, 2)}\n` : formatPlan(result.plan));
      return 0;
    }
    throw new UsageError(`unknown compose command "${sub}": use config, plan, ${LIFECYCLE.join(', ')}`);
  },
};

type LoadRequest = {
  workingDir: string;
  files: { path: string }[];
  projectDirectory?: string;
  envFiles: string[];
  env: Record<string, string>;
  profiles: string[];
  projectName?: string;
};

const isTty = (s: NodeJS.WritableStream) => (s as NodeJS.WriteStream).isTTY === true;

/** Shows a progress stream; returns the exit code (1 for an invalid project or a failed step). */
async function showProgress(ctx: CliContext, stream: EngineStream<ComposeProgress>): Promise<number> {
  const view = new ProgressView(ctx.io.stdout, ctx.io.stderr, isTty(ctx.io.stdout));
  try {
    for await (const item of stream) {
      if (item.type === 'issues') {
        printIssues(ctx, item.errors);
        return EXIT_INVALID;
      }
      view.show(item);
    }
    return 0;
  } catch (err) {
    ctx.io.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}

async function projectContainers(ctx: CliContext, client: EngineClient, load: LoadRequest, services: string[], all: boolean) {
  const result = await client.call('compose.ps', { ...load, services, all });
  printWarnings(ctx, result.warnings);
  if (!result.ok) {
    printIssues(ctx, result.errors);
    return null;
  }
  return result.containers;
}

/** The flags `plan` and `up` share that shape the plan, checked and in the contract's terms. */
function planChoices(f: { 'no-deps': boolean; 'force-recreate': boolean; 'no-recreate': boolean; 'remove-orphans': boolean }) {
  if (f['force-recreate'] && f['no-recreate']) throw new UsageError('--force-recreate and --no-recreate cannot be combined');
  return { noDeps: f['no-deps'], forceRecreate: f['force-recreate'], noRecreate: f['no-recreate'], removeOrphans: f['remove-orphans'] };
}

async function lifecycle(ctx: CliContext, sub: string, argv: string[], load: LoadRequest): Promise<number> {
  const client = await ctx.client();
  const timeoutOf = (t: string | undefined) => {
    if (t === undefined) return {};
    if (!/^\d+$/.test(t)) throw new UsageError(`invalid value "${t}" for --timeout: expected whole seconds`);
    return { timeout: Number(t) };
  };
  switch (sub) {
    case 'up': {
      const { flags: f, args: services } = parseArgs(argv, {
        detach: { type: 'bool', short: 'd', description: 'Run containers in the background' },
        wait: { type: 'bool', description: 'Wait for services to be running and healthy (implies -d)' },
        'wait-timeout': { type: 'string', description: 'Seconds to wait for --wait and depends_on conditions', value: 'N' },
        'force-recreate': { type: 'bool', description: 'Recreate containers even if nothing changed' },
        'no-recreate': { type: 'bool', description: 'Never recreate existing containers' },
        'no-deps': { type: 'bool', description: "Don't start linked services" },
        'remove-orphans': { type: 'bool', description: 'Remove containers of services not in the project' },
        timeout: timeoutFlag,
      });
      const choices = planChoices(f);
      const waitTimeout = f['wait-timeout'];
      if (waitTimeout !== undefined && !/^[1-9]\d*$/.test(waitTimeout)) throw new UsageError(`invalid value "${waitTimeout}" for --wait-timeout: expected whole seconds`);
      const since = Date.now();
      const code = await showProgress(
        ctx,
        client.stream('compose.up', {
          ...load,
          services,
          ...choices,
          wait: f.wait,
          ...(waitTimeout ? { waitTimeout: Number(waitTimeout) } : {}),
          ...timeoutOf(f.timeout),
        }),
      );
      if (code !== 0 || f.detach || f.wait) return code;
      return attach(ctx, client, load, services, since);
    }
    case 'down': {
      const { flags: f, args } = parseArgs(argv, {
        volumes: { type: 'bool', short: 'v', description: 'Also remove named volumes declared in the project' },
        'remove-orphans': { type: 'bool', description: 'Remove containers of services not in the project' },
        timeout: timeoutFlag,
      });
      if (args.length) throw new UsageError(`"fd compose down" takes no services (got ${args.join(' ')})`);
      return showProgress(ctx, client.stream('compose.down', { ...load, volumes: f.volumes, removeOrphans: f['remove-orphans'], ...timeoutOf(f.timeout) }));
    }
    case 'start':
    case 'stop':
    case 'restart': {
      const { flags: f, args: services } = parseArgs(argv, sub === 'start' ? {} : { timeout: timeoutFlag });
      const timeout = timeoutOf((f as { timeout?: string }).timeout);
      return showProgress(ctx, client.stream(`compose.${sub}`, { ...load, services, ...timeout }));
    }
    case 'pull': {
      const { args: services } = parseArgs(argv, {});
      return showProgress(ctx, client.stream('compose.pull', { ...load, services }));
    }
    case 'ps': {
      const { flags: f, args: services } = parseArgs(argv, {
        all: { type: 'bool', short: 'a', description: 'Show all containers, stopped ones too' },
        quiet: { type: 'bool', short: 'q', description: 'Only display IDs' },
        services: { type: 'bool', description: 'Display services' },
        format: { type: 'string', description: 'table (default) or json', value: 'FORMAT' },
      });
      const list = await projectContainers(ctx, client, load, services, f.all);
      if (!list) return EXIT_INVALID;
      const out = ctx.io.stdout;
      if (f.quiet) out.write(list.map((c) => `${c.id}\n`).join(''));
      else if (f.services) out.write([...new Set(list.map((c) => c.service))].map((s) => `${s}\n`).join(''));
      else if (f.format === 'json') out.write(`${JSON.stringify(list)}\n`);
      else {
        const rows = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'STATUS', 'PORTS']];
        const ports = (c: (typeof list)[number]) => (c.ports ?? []).map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
        for (const c of list) rows.push([c.name, c.image, JSON.stringify(c.command.length > 20 ? `${c.command.slice(0, 19)}…` : c.command), c.service, c.status, ports(c)]);
        out.write(`${table(rows)}\n`);
      }
      return 0;
    }
    case 'logs': {
      const { flags: f, args: services } = parseArgs(argv, {
        follow: { type: 'bool', short: 'f', description: 'Follow log output' },
        tail: { type: 'string', short: 'n', description: 'Number of lines to show from the end of each log', value: 'N' },
        timestamps: { type: 'bool', short: 't', description: 'Show timestamps' },
        'no-color': { type: 'bool', description: 'Produce monochrome output' },
      });
      if (f.tail !== undefined && f.tail !== 'all' && !/^\d+$/.test(f.tail)) throw new UsageError(`invalid value "${f.tail}" for --tail: a number or all`);
      const list = await projectContainers(ctx, client, load, services, true);
      if (!list) return EXIT_INVALID;
      await printLogs(client, ctx.io.stdout, list, {
        follow: f.follow,
        ...(f.tail !== undefined && f.tail !== 'all' ? { tail: Number(f.tail) } : {}),
        colour: isTty(ctx.io.stdout) && !f['no-color'],
        timestamps: f.timestamps,
      });
      return 0;
    }
  }
  throw new UsageError(`unknown compose command "${sub}"`);
}

/** Attached `up`: the containers' output from now on until they all exit; Ctrl-C stops the project. */
async function attach(ctx: CliContext, client: EngineClient, load: LoadRequest, services: string[], since: number): Promise<number> {
  const list = await projectContainers(ctx, client, load, services, true);
  if (!list) return EXIT_INVALID;
  const cancels: (() => void)[] = [];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    ctx.io.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    void showProgress(ctx, client.stream('compose.stop', { ...load, services })).finally(() => cancels.forEach((c) => c()));
  };
  process.on('SIGINT', onSigint);
  try {
    await printLogs(client, ctx.io.stdout, list, { follow: true, since, colour: isTty(ctx.io.stdout) }, (c) => cancels.push(c));
  } finally {
    process.off('SIGINT', onSigint);
  }
  return interrupted ? 130 : 0;
}
