import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove one or more images',
  usage: 'fd rmi [-f] IMAGE...',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { force: { type: 'bool', short: 'f', description: 'Untag even when used by a container or tagged several times' } });
    if (args.length === 0) throw new UsageError('"fd rmi" needs at least one image');
    const client = await ctx.client();
    let code = 0;
    for (const ref of args) {
      try {
        const r = await client.call('images.remove', { ref, force: flags.force });
        for (const u of r.untagged) ctx.io.stdout.write(`Untagged: ${u}\n`);
        for (const d of r.deleted) ctx.io.stdout.write(`Deleted: ${d}\n`);
      } catch (err) {
        ctx.io.stderr.write(`Error response from engine: ${(err as Error).message}\n`);
        code = 1;
      }
    }
    return code;
  },
};
