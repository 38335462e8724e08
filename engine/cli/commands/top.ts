import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { table } from '../table';

export const topCommand: Command = {
  name: 'top',
  summary: 'Display the running processes of a container',
  usage: 'fd top CONTAINER [ps OPTIONS]',
  async run(argv, ctx) {
    // Everything after the container is for ps (fd top web aux), as with docker.
    const { args } = parseArgs(argv, {}, { interspersed: false });
    if (!args.length) throw new UsageError('requires at least 1 argument: the container');
    const [id, ...psArgs] = args;
    const top = await (await ctx.client()).call('containers.top', { id: id!, psArgs: psArgs.length ? psArgs.join(' ') : '-ef' });
    ctx.io.stdout.write(`${table([top.titles, ...top.processes])}\n`);
    return 0;
  },
};
