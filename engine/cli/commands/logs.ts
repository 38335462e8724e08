import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { parseTimeArg } from '../time';
import { BatchedOutput } from '../batched-output';

/**
 * Lines the engine may send ahead of what we have written. The default (64) makes a credit round trip per
 * ~5 KB of log, which is what limited `logs -f`; 512 (as the renderer's logs view uses) keeps the pipe full.
 */
export const LOGS_WINDOW = 512;

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: 'fd logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      follow: { type: 'bool', short: 'f', description: 'Follow log output' },
      tail: { type: 'string', short: 'n', description: 'Number of lines to show from the end of the logs (or "all")', value: 'N' },
      since: { type: 'string', description: 'Show logs since a timestamp or relative time (10m)', value: 'T' },
      until: { type: 'string', description: 'Show logs before a timestamp or relative time', value: 'T' },
      timestamps: { type: 'bool', short: 't', description: 'Show timestamps' },
    });
    if (args.length !== 1) throw new UsageError('requires exactly 1 argument: the container');
    let tail: number | undefined;
    if (flags.tail !== undefined && flags.tail !== 'all') {
      if (!/^\d+$/.test(flags.tail)) throw new UsageError(`invalid --tail "${flags.tail}": a number or "all"`);
      tail = Number(flags.tail);
    }
    const now = Date.now();
    const stream = (await ctx.client()).stream('containers.logs', {
      id: args[0]!,
      follow: flags.follow,
      tail,
      since: flags.since ? parseTimeArg(flags.since, now) : undefined,
      until: flags.until ? parseTimeArg(flags.until, now) : undefined,
    }, { window: LOGS_WINDOW });
    const stop = () => stream.cancel();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const output = new BatchedOutput();
    try {
      for await (const l of stream) {
        const out = l.stream === 'stderr' ? ctx.io.stderr : ctx.io.stdout;
        // Exact bytes when the output is not UTF-8 (l.data), so a binary log passes through unchanged.
        const prefix = flags.timestamps ? `${l.time} ` : '';
        const end = l.partial ? '' : '\n';
        if (l.data) {
          const body = Buffer.from(l.data, 'base64');
          await output.write(out, prefix || end ? Buffer.concat([Buffer.from(prefix), body, Buffer.from(end)]) : body);
        } else {
          // Text lines stay strings; the batch is encoded once.
          await output.write(out, prefix + l.line + end);
        }
      }
    } finally {
      await output.flush();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
