import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const renameCommand: Command = {
  name: 'rename',
  summary: 'Rename a container',
  usage: 'fd rename CONTAINER NEW_NAME',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (args.length !== 2) throw new UsageError('requires exactly 2 arguments: CONTAINER NEW_NAME');
    await (await ctx.client()).call('containers.rename', { id: args[0]!, name: args[1]! });
    return 0;
  },
};
