import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { EngineError } from '../../api/errors';
import { forEachContainer } from './stop';

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'fd start CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => {
      try {
        await client.call('containers.start', { id });
      } catch (err) {
        // Starting a running container is not an error for docker either.
        if (!(err instanceof EngineError && err.code === 'not_modified')) throw err;
      }
    });
  },
};
