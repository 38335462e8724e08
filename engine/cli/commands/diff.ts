import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const diffCommand: Command = {
  name: 'diff',
  summary: "Inspect changes to files or directories on a container's filesystem",
  usage: 'fd diff CONTAINER',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (args.length !== 1) throw new UsageError('requires exactly 1 argument: the container');
    const changes = await (await ctx.client()).call('containers.diff', { id: args[0]! });
    ctx.io.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    return 0;
  },
};
