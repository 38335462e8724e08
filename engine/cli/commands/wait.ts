import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { forEachContainer } from './stop';

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Block until one or more containers stop, then print their exit codes',
  usage: 'fd wait CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    return forEachContainer(
      ctx,
      args,
      async (id) => {
        const { exitCode } = await client.call('containers.wait', { id });
        ctx.io.stdout.write(`${exitCode}\n`);
      },
      false,
    );
  },
};
