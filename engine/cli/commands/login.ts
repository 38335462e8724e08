import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let data = '';
  for await (const chunk of stream) data += chunk.toString();
  return data;
}

/** Reads one line from a TTY; with `hidden` the typed characters are not echoed. */
function prompt(ctx: { stdin: NodeJS.ReadableStream; stderr: NodeJS.WritableStream }, question: string, hidden: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = ctx.stdin as NodeJS.ReadStream;
    ctx.stderr.write(question);
    if (hidden) input.setRawMode?.(true);
    let line = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString()) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          if (hidden) ctx.stderr.write('\n');
          resolve(line);
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          reject(new UsageError('login cancelled'));
          return;
        }
        if (ch === '\u007f') line = line.slice(0, -1);
        else line += ch;
      }
    };
    const cleanup = () => {
      input.off('data', onData);
      if (hidden) input.setRawMode?.(false);
      input.pause();
    };
    input.on('data', onData);
    input.resume();
  });
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Log in to a registry (credentials are checked, then kept in ~/.docker/config.json)',
  usage: 'fd login [-u USER] [-p PASSWORD | --password-stdin] [SERVER]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      username: { type: 'string', short: 'u', description: 'Username', value: 'USER' },
      password: { type: 'string', short: 'p', description: 'Password (prefer --password-stdin)', value: 'PASSWORD' },
      'password-stdin': { type: 'bool', description: 'Read the password from stdin' },
    });
    if (args.length > 1) throw new UsageError('"fd login" takes at most one server');
    if (flags.password !== undefined && flags['password-stdin']) throw new UsageError('--password and --password-stdin are mutually exclusive');
    const tty = Boolean((ctx.io.stdin as NodeJS.ReadStream).isTTY);
    let username = flags.username;
    let password = flags.password;
    if (flags['password-stdin']) {
      if (!username) throw new UsageError('--password-stdin needs --username');
      password = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
    }
    if (flags.password !== undefined) ctx.io.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (!username) {
      if (!tty) throw new UsageError('cannot prompt for a username: stdin is not a terminal (use -u)');
      username = (await prompt({ stdin: ctx.io.stdin, stderr: ctx.io.stderr }, 'Username: ', false)).trim();
    }
    if (password === undefined) {
      if (!tty) throw new UsageError('cannot prompt for a password: stdin is not a terminal (use --password-stdin)');
      password = await prompt({ stdin: ctx.io.stdin, stderr: ctx.io.stderr }, 'Password: ', true);
    }
    if (!username) throw new UsageError('a username is required');
    const result = await (await ctx.client()).call('auth.login', { ...(args[0] ? { server: args[0] } : {}), username, password });
    ctx.io.stdout.write(`${result.status}\n`);
    return 0;
  },
};
