// `fd run`: create, then either start detached or attach-and-start (no output missed), forward stdin and
// the terminal size, forward Ctrl-C as SIGINT, and exit with the container's code.
import type { Command, CliContext } from '../command';
import { parseArgs } from '../args';
import { EXIT_ENGINE } from '../errors';
import type { EngineClient, EngineStream } from '../../api/client';
import type { OutputChunk } from '../../api/containers';
import { EngineError } from '../../api/errors';
import { buildCreateInput, containerFlags } from './create';

export interface Terminal {
  /** Stops forwarding stdin and restores the terminal. */
  restore(): void;
}

/**
 * Forwards the CLI's stdin through `write` (containers.write or exec.write) and, with a tty, puts the local
 * terminal in raw mode and keeps the remote pty's size in step.
 */
export function connectTerminal(
  ctx: CliContext,
  opts: { stdin: boolean; tty: boolean },
  write: (data: string, eof: boolean) => Promise<unknown>,
  resize: (height: number, width: number) => Promise<unknown>,
): Terminal {
  const stdin = ctx.io.stdin as NodeJS.ReadStream;
  const stdout = ctx.io.stdout as NodeJS.WriteStream;
  const raw = opts.tty && stdin.isTTY === true;
  const cleanups: (() => void)[] = [];
  if (opts.tty && stdout.isTTY) {
    const sendSize = () => void resize(stdout.rows || 24, stdout.columns || 80).catch(() => undefined);
    sendSize();
    stdout.on('resize', sendSize);
    cleanups.push(() => stdout.off('resize', sendSize));
  }
  if (opts.stdin) {
    if (raw) stdin.setRawMode(true);
    let chain: Promise<unknown> = Promise.resolve();
    const onData = (d: Buffer) => (chain = chain.then(() => write(d.toString('base64'), false)).catch(() => undefined));
    const onEnd = () => (chain = chain.then(() => write('', true)).catch(() => undefined));
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
    cleanups.push(() => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
    });
  }
  return { restore: () => cleanups.splice(0).forEach((c) => c()) };
}

/** Copies an output stream to stdout/stderr and returns the exit code from its final item. */
export async function pumpOutput(ctx: CliContext, stream: EngineStream<OutputChunk>): Promise<number> {
  let code = EXIT_ENGINE;
  for await (const chunk of stream) {
    if (chunk.stream === 'exit') {
      code = chunk.exitCode ?? EXIT_ENGINE;
      continue;
    }
    if (chunk.stream === 'eof') continue;
    const out = chunk.stream === 'stderr' ? ctx.io.stderr : ctx.io.stdout;
    if (!out.write(Buffer.from(chunk.data, 'base64'))) await new Promise((r) => out.once('drain', r));
  }
  return code;
}

/** Docker's codes when the command itself cannot run: 127 not found, 126 not executable. */
export function startFailureCode(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied/i.test(message)) return 126;
  return EXIT_ENGINE;
}

export async function runAttached(ctx: CliContext, client: EngineClient, id: string, flags: { interactive: boolean; tty: boolean; rm: boolean }): Promise<number> {
  const stream = client.stream('containers.attach', { id, stdin: flags.interactive, start: true });
  const terminal = connectTerminal(
    ctx,
    { stdin: flags.interactive, tty: flags.tty },
    (data, eof) => client.call('containers.write', { id, data, eof }),
    (height, width) => client.call('containers.resize', { id, height, width }),
  );
  // Without a tty, Ctrl-C goes to the container as SIGINT (with one, the pty delivers it).
  const onSigint = () => void client.call('containers.kill', { id, signal: 'SIGINT' }).catch(() => undefined);
  if (!flags.tty) process.on('SIGINT', onSigint);
  try {
    return await pumpOutput(ctx, stream);
  } catch (err) {
    ctx.io.stderr.write(`fd: ${(err as Error).message}\n`);
    if (flags.rm) await client.call('containers.remove', { id, force: true }).catch(() => undefined);
    return startFailureCode(err);
  } finally {
    process.off('SIGINT', onSigint);
    terminal.restore();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Create and run a new container',
  usage: 'fd run [OPTIONS] IMAGE [COMMAND] [ARG...]   |   fd run [OPTIONS] --rootfs DIR COMMAND [ARG...]',
  ownsShortH: true,
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { ...containerFlags, detach: { type: 'bool', short: 'd', description: 'Run in the background and print the container ID' } }, { interspersed: false });
    const input = buildCreateInput(flags, args, ctx.io.env);
    // Attached `run -i` hands stdin over once: its EOF closes the container's stdin (docker's StdinOnce).
    input.stdinOnce = flags.interactive && !flags.detach;
    const client = await ctx.client();
    const { id, warnings } = await client.call('containers.create', input);
    for (const w of warnings) ctx.io.stderr.write(`WARNING: ${w}\n`);
    if (!flags.detach) return runAttached(ctx, client, id, flags);
    try {
      await client.call('containers.start', { id });
    } catch (err) {
      if (flags.rm) await client.call('containers.remove', { id, force: true }).catch(() => undefined);
      if (err instanceof EngineError) ctx.io.stderr.write(`fd: ${err.message}\n`);
      else throw err;
      return startFailureCode(err);
    }
    ctx.io.stdout.write(`${id}\n`);
    return 0;
  },
};
