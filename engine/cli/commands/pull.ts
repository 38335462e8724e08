import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import type { PullProgress } from '../../api/images';
import { formatBytes } from '../format';
import { shortId } from './images';

const PHASE_TEXT = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
  exists: 'Already exists',
} as const;

type LayerItem = Extract<PullProgress, { type: 'layer' }>;

function bar(current: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.round((current / total) * width)) : 0;
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
}

export function formatLayerLine(p: LayerItem, tty: boolean): string {
  const text = PHASE_TEXT[p.phase];
  if (p.phase === 'downloading') {
    const amount = `${formatBytes(p.current)}/${formatBytes(p.total)}`;
    return `${shortId(p.layer)}: ${text} ${tty ? `${bar(p.current, p.total)} ` : ''}${amount}`;
  }
  return `${shortId(p.layer)}: ${text}`;
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Download an image from a registry',
  usage: 'fd pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      platform: { type: 'string', description: 'Platform to pull from a multi-platform image', value: 'PLATFORM' },
      quiet: { type: 'bool', short: 'q', description: 'Only print the image reference' },
    });
    if (args.length !== 1) throw new UsageError('"fd pull" needs exactly one image reference');
    const out = ctx.io.stdout;
    const tty = Boolean((out as NodeJS.WriteStream).isTTY);
    const stream = (await ctx.client()).stream('images.pull', { ref: args[0]!, ...(flags.platform ? { platform: flags.platform } : {}) });
    const stop = () => stream.cancel();
    process.once('SIGINT', stop);
    // TTY: one line per layer, redrawn in place. Otherwise: a line per phase change (no byte counts spam).
    const order: string[] = [];
    const lines = new Map<string, string>();
    let drawn = 0;
    const lastPhase = new Map<string, string>();
    const redraw = () => {
      if (drawn) out.write(`\x1b[${drawn}A`);
      for (const id of order) out.write(`\x1b[2K${lines.get(id)}\n`);
      drawn = order.length;
    };
    try {
      for await (const item of stream) {
        if (item.type === 'resolved') {
          if (flags.quiet) {
            out.write(`${item.ref}\n`);
          } else {
            if (tty) redraw();
            out.write(`Digest: ${item.digest}\n`);
            out.write(`Status: ${item.downloaded ? 'Downloaded newer image' : 'Image is up to date'} for ${args[0]}\n`);
            out.write(`${item.ref}\n`);
          }
          continue;
        }
        if (flags.quiet) continue;
        if (!lines.has(item.layer)) order.push(item.layer);
        lines.set(item.layer, formatLayerLine(item, tty));
        if (tty) redraw();
        else if (lastPhase.get(item.layer) !== item.phase) {
          lastPhase.set(item.layer, item.phase);
          out.write(`${formatLayerLine(item, false)}\n`);
        }
      }
    } finally {
      process.off('SIGINT', stop);
    }
    return 0;
  },
};
