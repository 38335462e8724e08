import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { forEachContainer } from './stop';

export const killCommand: Command = {
  name: 'kill',
  summary: 'Kill one or more running containers',
  usage: 'fd kill [-s SIGNAL] CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { signal: { type: 'string', short: 's', description: 'Signal to send (default KILL)', value: 'SIGNAL' } });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (id) => void (await client.call('containers.kill', { id, signal: flags.signal ?? 'SIGKILL' })));
  },
};
