import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { EngineError } from '../../api/errors';
import { forEachContainer } from './stop';
import { runAttached } from './run';

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'fd start [-a] [-i] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      attach: { type: 'bool', short: 'a', description: "Attach to the container's output and return its exit code" },
      interactive: { type: 'bool', short: 'i', description: "Attach the container's STDIN" },
    });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    if (flags.attach || flags.interactive) {
      if (args.length > 1) throw new UsageError('you cannot start and attach multiple containers at once');
      const info = await client.call('containers.inspect', { id: args[0]! });
      return runAttached(ctx, client, info.id, { interactive: flags.interactive && info.config.openStdin === true, tty: info.config.tty === true, rm: false });
    }
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
