import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { shortId } from './images';

/** Bytes per images.loadUpload call: few calls, bounded engine memory. */
const UPLOAD_CHUNK = 1024 * 1024;

async function* chunked(source: AsyncIterable<Buffer | string>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    parts.push(b);
    n += b.length;
    if (n >= size) {
      yield Buffer.concat(parts, n);
      parts = [];
      n = 0;
    }
  }
  if (n) yield Buffer.concat(parts, n);
}

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load images from a tar archive (docker save format or an OCI layout) or STDIN',
  usage: 'fd load [-i FILE] [-q]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      input: { type: 'string', short: 'i', description: 'Read from a tar archive file, instead of STDIN', value: 'FILE' },
      quiet: { type: 'bool', short: 'q', description: 'Suppress the load output' },
    });
    if (args.length) throw new UsageError('"fd load" takes no arguments (use -i FILE)');
    const fromFile = flags.input !== undefined && flags.input !== '-';
    if (!fromFile && (ctx.io.stdin as NodeJS.ReadStream).isTTY) {
      throw new UsageError('requested load from stdin, but stdin is empty: use -i FILE or redirect STDIN');
    }
    const source = fromFile ? fs.createReadStream(flags.input!) : ctx.io.stdin;
    const client = await ctx.client();
    const uploadId = crypto.randomUUID();
    let sent = 0;
    for await (const chunk of chunked(source as AsyncIterable<Buffer>, UPLOAD_CHUNK)) {
      await client.call('images.loadUpload', { uploadId, data: chunk.toString('base64') });
      sent += chunk.length;
    }
    if (sent === 0) throw new UsageError('the archive is empty: nothing to load');
    const tty = !!(ctx.io.stdout as NodeJS.WriteStream).isTTY;
    for await (const item of client.stream('images.load', { uploadId })) {
      if (item.type === 'loaded') ctx.io.stdout.write(item.name ? `Loaded image: ${item.name}\n` : `Loaded image ID: ${item.id}\n`);
      else if (!flags.quiet && tty && (item.phase === 'done' || item.phase === 'exists')) {
        ctx.io.stderr.write(`${shortId(item.layer)}: ${item.phase === 'done' ? 'Loaded' : 'Already exists'}\n`);
      }
    }
    return 0;
  },
};
