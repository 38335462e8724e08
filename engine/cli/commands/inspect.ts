import type { Command } from '../command';
import { parseArgs } from '../args';
import { EXIT_ENGINE, UsageError } from '../errors';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Return low-level information on containers as JSON',
  usage: 'fd inspect CONTAINER [CONTAINER...]',
  async run(argv, ctx) {
    const { args } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'json (the default)' } });
    if (!args.length) throw new UsageError('requires at least 1 argument');
    const client = await ctx.client();
    const found = [];
    let code = 0;
    for (const id of args) {
      try {
        found.push(await client.call('containers.inspect', { id }));
      } catch (err) {
        ctx.io.stderr.write(`Error: ${(err as Error).message}\n`);
        code = EXIT_ENGINE;
      }
    }
    ctx.io.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    return code;
  },
};
