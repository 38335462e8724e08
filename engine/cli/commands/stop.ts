import type { Command, CliContext } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

/** Runs `fn` for each named container, printing the name on success and the error otherwise; exit 1 if any failed (docker's way). */
export async function forEachContainer(ctx: CliContext, refs: string[], fn: (ref: string) => Promise<void>, print = true): Promise<number> {
  let code = 0;
  for (const ref of refs) {
    try {
      await fn(ref);
      if (print) ctx.io.stdout.write(`${ref}\n`);
    } catch (err) {
      ctx.io.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      code = 1;
    }
  }
  return code;
}

export function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid timeout "${text}": expected whole seconds`);
  return Number(text);
}

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: 'fd stop [-t SECONDS] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      time: { type: 'string', short: 't', description: 'Seconds to wait before killing the container', value: 'N' },
      timeout: { type: 'string', description: 'Same as --time', value: 'N' },
    });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const timeout = parseSeconds(flags.time ?? flags.timeout);
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => void (await client.call('containers.stop', { id, timeout })));
  },
};
