import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { forEachContainer, parseSeconds } from './stop';

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: 'fd restart [-t SECONDS] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { time: { type: 'string', short: 't', description: 'Seconds to wait before killing the container', value: 'N' } });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const timeout = parseSeconds(flags.time);
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => void (await client.call('containers.restart', { id, timeout })));
  },
};
