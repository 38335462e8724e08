import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Give an image another name',
  usage: 'fd tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (args.length !== 2) throw new UsageError('"fd tag" needs exactly 2 arguments: SOURCE TARGET');
    await (await ctx.client()).call('images.tag', { source: args[0]!, target: args[1]! });
    return 0;
  },
};
