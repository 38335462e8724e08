// Commands made of subcommands (`fd volume ls`, `fd network rm`): one dispatcher for help and unknown names.
import type { CliContext } from './command';
import { UsageError } from './errors';

export type Subcommand = (argv: string[], ctx: CliContext) => Promise<number>;

/** Runs `argv[0]` from `subcommands`; no subcommand prints `usage` and fails, -h/--help prints it and succeeds. */
export async function runSubcommand(group: string, usage: string, subcommands: Record<string, Subcommand>, argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    ctx.io.stdout.write(`${usage}\n`);
    return sub ? 0 : 1;
  }
  const run = subcommands[sub];
  if (!run) throw new UsageError(`unknown command "fd ${group} ${sub}"\n${usage}`);
  return run(rest, ctx);
}
