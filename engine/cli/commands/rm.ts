import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { forEachContainer } from './stop';

export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: 'fd rm [-f] [-v] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      force: { type: 'bool', short: 'f', description: 'Kill and remove a running container' },
      volumes: { type: 'bool', short: 'v', description: 'Remove the anonymous volumes of the container' },
    });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => void (await client.call('containers.remove', { id, force: flags.force, volumes: flags.volumes })));
  },
};
