import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { confirmPrune, writePruned } from '../prune';
import { table } from '../table';
import { ago, formatBytes } from '../format';
import { forEachName } from '../each-name';
import type { ImageSummary } from '../../api/images';
import { renderFormat } from './inspect';
import { loadCommand } from './load';
import { pullCommand } from './pull';
import { rmiCommand } from './rmi';
import { saveCommand } from './save';
import { tagCommand } from './tag';

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** `name:tag` → [name, tag]; the colon of a registry port is not a tag separator. */
function splitTag(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '<none>'];
}

/** One row per tag (docker's layout); untagged images show <none>. */
export function imageRows(images: ImageSummary[], options: { digests?: boolean; now?: number } = {}): string[][] {
  const header = ['REPOSITORY', 'TAG', ...(options.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const rows = [header];
  for (const image of images) {
    const digest = image.repoDigests[0]?.split('@')[1] ?? '<none>';
    const tags = image.repoTags.length ? image.repoTags.map(splitTag) : [[image.repoDigests[0]?.split('@')[0] ?? '<none>', '<none>'] as [string, string]];
    for (const [repo, tag] of tags) {
      rows.push([repo, tag, ...(options.digests ? [digest] : []), shortId(image.id), ago(image.created, options.now), formatBytes(image.size)]);
    }
  }
  return rows;
}

export const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: 'fd images [-a] [-q] [--digests] [--filter key=value] [--format json] [REPOSITORY[:TAG]]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      all: { type: 'bool', short: 'a', description: 'Show all images (untagged ones too)' },
      quiet: { type: 'bool', short: 'q', description: 'Only show image ids' },
      digests: { type: 'bool', description: 'Show digests' },
      filter: { type: 'list', short: 'f', description: 'dangling=true|false, reference=PATTERN, label=KEY[=VALUE]', value: 'KEY=VALUE' },
      format: { type: 'string', description: 'json: one image per line as JSON' },
      'no-trunc': { type: 'bool', description: 'Show full image ids' },
    });
    if (args.length > 1) throw new UsageError(`"fd images" takes at most one argument (got ${args.join(' ')})`);
    const filters = [...flags.filter, ...(args[0] ? [`reference=${args[0]}`] : [])];
    const images = await (await ctx.client()).call('images.list', { all: true, filters });
    // Every image is a top-level image here (no intermediate build layers), so -a changes nothing.
    const shown = images;
    const out = ctx.io.stdout;
    if (flags.format === 'json') {
      for (const i of shown) out.write(`${JSON.stringify(i)}\n`);
    } else if (flags.quiet) {
      for (const id of new Set(shown.map((i) => (flags['no-trunc'] ? i.id : shortId(i.id))))) out.write(`${id}\n`);
    } else {
      let rows = imageRows(shown, { digests: flags.digests });
      if (flags['no-trunc']) rows = rows.map((r, n) => (n === 0 ? r : r.map((c) => (/^[a-f0-9]{12}$/.test(c) ? (shown.find((i) => shortId(i.id) === c)?.id ?? c) : c))));
      out.write(`${table(rows)}\n`);
    }
    return 0;
  },
};

const IMAGE_USAGE = `fd image inspect [-f TEMPLATE] IMAGE...
fd image prune [-a] [-f]
fd image ls|list [OPTIONS]      (fd images)
fd image rm [-f] IMAGE...       (fd rmi)
fd image pull|tag|save|load ... (fd pull, fd tag, fd save, fd load)`;

/** `fd image SUBCOMMAND`: docker's management command; the common subcommands reuse the top-level ones. */
export const imageCommand: Command = {
  name: 'image',
  summary: 'Manage images (inspect, prune, ls, rm, pull, tag, save, load)',
  usage: IMAGE_USAGE,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    const alias: Record<string, Command> = { ls: imagesCommand, list: imagesCommand, rm: rmiCommand, remove: rmiCommand, pull: pullCommand, tag: tagCommand, save: saveCommand, load: loadCommand };
    if (sub && alias[sub]) return alias[sub].run(rest, ctx);
    const out = ctx.io.stdout;
    if (sub === 'inspect') {
      const { flags, args } = parseArgs(rest, { format: { type: 'string', short: 'f', description: 'A template such as {{.Id}} or {{json .Config}}', value: 'TEMPLATE' } });
      if (!args.length) throw new UsageError('"fd image inspect" requires at least 1 argument');
      const client = await ctx.client();
      const { results: found, code } = await forEachName(ctx, args, (ref) => client.call('images.inspect', { ref }));
      if (flags.format) for (const i of found) out.write(`${renderFormat(flags.format, i)}\n`);
      else out.write(`${JSON.stringify(found, null, 4)}\n`);
      return code;
    }
    if (sub === 'prune') {
      const { flags, args } = parseArgs(rest, {
        all: { type: 'bool', short: 'a', description: 'Remove all unused images, not just dangling ones' },
        force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' },
      });
      if (args.length) throw new UsageError('"fd image prune" takes no arguments');
      const warning = `WARNING! This will remove ${flags.all ? 'all images without at least one container associated to them' : 'all dangling images'}.`;
      if (!(await confirmPrune(ctx, flags.force, warning))) return 0;
      writePruned(out, await (await ctx.client()).call('images.prune', { all: flags.all }));
      return 0;
    }
    throw new UsageError(`usage:\n${IMAGE_USAGE}`);
  },
};
