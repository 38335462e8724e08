import fs from 'node:fs';
import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';

export const saveCommand: Command = {
  name: 'save',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  usage: 'fd save [-o FILE] IMAGE...',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, { output: { type: 'string', short: 'o', description: 'Write to a file, instead of STDOUT', value: 'FILE' } });
    if (args.length === 0) throw new UsageError('"fd save" needs at least one image');
    const toFile = flags.output !== undefined && flags.output !== '-';
    if (!toFile && (ctx.io.stdout as NodeJS.WriteStream).isTTY) {
      throw new UsageError('refusing to write the archive to a terminal: use -o FILE or redirect STDOUT');
    }
    const client = await ctx.client();
    const items = client.stream('images.save', { refs: args });
    if (!toFile) {
      for await (const item of items) {
        if (!ctx.io.stdout.write(Buffer.from(item.data, 'base64'))) await new Promise((r) => ctx.io.stdout.once('drain', r));
      }
      return 0;
    }
    // The first chunk before the file: an unknown image fails without creating anything.
    const it = items[Symbol.asyncIterator]();
    let next = await it.next();
    // Written beside the target and renamed at the end: a failed save leaves no truncated archive.
    const tmp = `${flags.output}.fd-save-${process.pid}`;
    const out = fs.createWriteStream(tmp, { mode: 0o644 });
    try {
      while (!next.done) {
        if (!out.write(Buffer.from(next.value.data, 'base64'))) await new Promise<void>((r) => out.once('drain', () => r()));
        next = await it.next();
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      fs.renameSync(tmp, flags.output!);
    } catch (err) {
      await new Promise<void>((resolve) => out.destroy().once('close', () => resolve()));
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return 0;
  },
};
