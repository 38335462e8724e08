import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Forget the credentials of a registry',
  usage: 'fd logout [SERVER]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, {});
    if (args.length > 1) throw new UsageError('"fd logout" takes at most one server');
    const server = args[0] ?? 'https://index.docker.io/v1/';
    const { removed } = await (await ctx.client()).call('auth.logout', args[0] ? { server: args[0] } : {});
    ctx.io.stdout.write(removed ? `Removing login credentials for ${server}\n` : `Not logged in to ${server}\n`);
    return 0;
  },
};
