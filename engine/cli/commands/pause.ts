import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { forEachContainer } from './stop';

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Pause all processes within one or more containers',
  usage: 'fd pause CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => void (await client.call('containers.pause', { id })));
  },
};
