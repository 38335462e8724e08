import type { Command } from '../command';
import { ENGINE_VERSION } from '../../version';
import { parseArgs } from '../args';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Show the fd client and engine versions',
  usage: 'fd version [--format json]',
  async run(argv, ctx) {
    const { flags } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'json for machine output' } });
    const client = {
      version: ENGINE_VERSION,
      node: process.versions.node,
      os: process.platform,
      arch: process.arch,
    };
    let server: Awaited<ReturnType<Awaited<ReturnType<typeof ctx.client>>['call']>> | null = null;
    let serverError: Error | null = null;
    try {
      server = await (await ctx.client()).call('system.version', {});
    } catch (err) {
      serverError = err as Error;
    }
    const out = ctx.io.stdout;
    if (flags.format === 'json') {
      out.write(`${JSON.stringify({ client, server })}\n`);
    } else {
      out.write(`Client:\n Version:\t${client.version}\n Node:\t\t${client.node}\n OS/Arch:\t${client.os}/${client.arch}\n`);
      if (server && 'version' in server) {
        out.write(`\nEngine:\n Version:\t${server.version}\n API version:\t${server.apiVersion}\n Node:\t\t${server.node}\n OS/Arch:\t${server.os}/${server.arch}\n Kernel:\t${server.kernel}\n`);
      }
    }
    if (serverError) throw serverError;
    return 0;
  },
};
