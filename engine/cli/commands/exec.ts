import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { connectTerminal, pumpOutput, startFailureCode } from './run';

export const execCommand: Command = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: 'fd exec [-d] [-i] [-t] [-e KEY=VALUE] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(
      argv,
      {
        detach: { type: 'bool', short: 'd', description: 'Run the command in the background' },
        interactive: { type: 'bool', short: 'i', description: 'Keep STDIN open' },
        tty: { type: 'bool', short: 't', description: 'Allocate a pseudo-TTY' },
        env: { type: 'list', short: 'e', description: 'Set environment variables', value: 'KEY=VALUE' },
        workdir: { type: 'string', short: 'w', description: 'Working directory inside the container', value: 'DIR' },
        user: { type: 'string', short: 'u', description: 'Username or UID (format: <name|uid>[:<group|gid>])', value: 'USER' },
      },
      { interspersed: false },
    );
    if (args.length < 2) throw new UsageError('requires at least 2 arguments: the container and a command');
    const client = await ctx.client();
    const { id } = await client.call('exec.create', {
      id: args[0]!,
      cmd: args.slice(1),
      env: flags.env.filter((e) => e.includes('=')),
      workingDir: flags.workdir,
      user: flags.user,
      tty: flags.tty,
      attachStdin: flags.interactive,
    });
    if (flags.detach) {
      await client.call('exec.startDetached', { id });
      return 0;
    }
    const stream = client.stream('exec.start', { id });
    const terminal = connectTerminal(
      ctx,
      { stdin: flags.interactive, tty: flags.tty },
      (data, eof) => client.call('exec.write', { id, data, eof }),
      (height, width) => client.call('exec.resize', { id, height, width }),
    );
    try {
      return await pumpOutput(ctx, stream);
    } catch (err) {
      ctx.io.stderr.write(`fd: ${(err as Error).message}\n`);
      return startFailureCode(err);
    } finally {
      terminal.restore();
    }
  },
};
