// `fd compose [-f FILE]... [-p NAME] [--profile P]... [--env-file F]... SUBCOMMAND`: the compose files are
// read and resolved by the engine (against this shell's working dir and environment), so the CLI, the
// desktop app and the web UI see the same model, plan and errors.
import type { Command, CliContext } from '../command';
import { formatFlagHelp, parseArgs, type FlagSpecs } from '../args';
import { EXIT_ENGINE, UsageError } from '../errors';
import { formatComposeIssue, type ComposeIssue, type ComposePlan, type PlanStep } from '../../api/compose';

const globalFlags = {
  file: { type: 'list', short: 'f', description: 'Compose file (repeatable; default compose.yaml in this dir or a parent)', value: 'FILE' },
  'project-name': { type: 'string', short: 'p', description: 'Project name', value: 'NAME' },
  profile: { type: 'list', description: 'Enable a profile (repeatable; also COMPOSE_PROFILES)', value: 'PROFILE' },
  'env-file': { type: 'list', description: 'Variables file instead of .env (repeatable)', value: 'FILE' },
  'project-directory': { type: 'string', description: 'Where .env and relative paths resolve (default: the first file\'s dir)', value: 'DIR' },
} satisfies FlagSpecs;

const PENDING = ['up', 'down', 'ps', 'logs', 'restart', 'stop', 'start', 'pull'];

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
  summary: 'Define and run multi-container projects (config, plan; up/down once the engine runs containers)',
  usage: `fd compose [OPTIONS] COMMAND

Options:
${formatFlagHelp(globalFlags)}

Commands:
  config   Show the resolved project as YAML (--format json, --services, -q to only validate)
  plan     Show what "up" would do: create / recreate (and why) / keep / remove [SERVICE...]
  ${PENDING.join(', ')}: not available yet`,
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
    if (PENDING.includes(sub)) {
      ctx.io.stderr.write(`fd compose ${sub}: not available yet: needs the container engine\n`);
      return EXIT_ENGINE;
    }
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
      if (f['force-recreate'] && f['no-recreate']) throw new UsageError('--force-recreate and --no-recreate cannot be combined');
      const result = await (await ctx.client()).call('compose.plan', {
        ...load,
        services,
        noDeps: f['no-deps'],
        forceRecreate: f['force-recreate'],
        noRecreate: f['no-recreate'],
        removeOrphans: f['remove-orphans'],
      });
      printWarnings(ctx, result.warnings);
      if (!result.ok) {
        printIssues(ctx, result.errors);
        return EXIT_INVALID;
      }
      ctx.io.stdout.write(f.format === 'json' ? `${JSON.stringify(result.plan, null, 2)}\n` : formatPlan(result.plan));
      return 0;
    }
    throw new UsageError(`unknown compose command "${sub}": use config, plan, ${PENDING.join(', ')}`);
  },
};
