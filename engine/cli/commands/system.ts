import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { confirmPrune, writePruned } from '../prune';
import { table } from '../table';
import { ago, formatBytes } from '../format';
import { imageRows } from './images';

const USAGE = `fd system df [-v] [--format json]
fd system prune [-a] [-f]`;

export const systemCommand: Command = {
  name: 'system',
  summary: 'Disk use (df) and cleanup (prune) of the image cache',
  usage: USAGE,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    const out = ctx.io.stdout;
    if (sub === 'df') {
      const { flags, args } = parseArgs(rest, {
        verbose: { type: 'bool', short: 'v', description: 'Show every image' },
        format: { type: 'string', description: 'json for machine output' },
      });
      if (args.length) throw new UsageError('"fd system df" takes no arguments');
      const df = await (await ctx.client()).call('system.df', {});
      if (flags.format === 'json') {
        out.write(`${JSON.stringify(df, null, 2)}\n`);
        return 0;
      }
      const pct = df.images.size ? Math.round((df.images.reclaimable / df.images.size) * 100) : 0;
      out.write(
        `${table([
          ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
          ['Images', String(df.images.count), String(df.images.active), formatBytes(df.images.size), `${formatBytes(df.images.reclaimable)} (${pct}%)`],
        ])}\n`,
      );
      out.write(`\nOn disk: ${formatBytes(df.layers)} unpacked layers, ${formatBytes(df.blobs)} compressed blobs\n`);
      const budget = [df.budget.maxBytes !== null ? `max ${formatBytes(df.budget.maxBytes)}` : null, df.budget.maxAge !== null ? `max age ${Math.round(df.budget.maxAge / 3_600_000)}h` : null].filter(Boolean);
      out.write(`Cache budget: ${budget.length ? budget.join(', ') : 'unlimited'} (settings cache.maxBytes, cache.maxAge)\n`);
      if (flags.verbose) {
        out.write('\nImages space usage:\n\n');
        const rows = imageRows(df.list);
        rows[0]!.push('SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS', 'LAST USED');
        let n = 1;
        for (const image of df.list) {
          const count = Math.max(1, image.repoTags.length);
          for (let i = 0; i < count; i++, n++) rows[n]!.push(formatBytes(image.size - image.uniqueSize), formatBytes(image.uniqueSize), String(image.containers), ago(image.lastUsed));
        }
        out.write(`${table(rows)}\n`);
      }
      return 0;
    }
    if (sub === 'prune') {
      const { flags, args } = parseArgs(rest, {
        all: { type: 'bool', short: 'a', description: 'Remove every image no container uses, not only untagged ones' },
        force: { type: 'bool', short: 'f', description: 'Do not ask for confirmation' },
      });
      if (args.length) throw new UsageError('"fd system prune" takes no arguments');
      const warning = `WARNING! This will remove ${flags.all ? 'all images without at least one container associated to them' : 'all dangling images'} and apply the cache budget.`;
      if (!(await confirmPrune(ctx, flags.force, warning))) return 0;
      writePruned(out, await (await ctx.client()).call('system.prune', { all: flags.all }));
      return 0;
    }
    throw new UsageError(`usage:\n${USAGE}`);
  },
};
