import type { Command } from '../command';
import { parseArgs } from '../args';
import { readWebUiState } from '../../webui/token';

/** The web UI's URL (token included) while `fd engine --ui` serves this root; webui.json is owner-only. */
function webUiLines(root: string): string[] {
  const url = readWebUiState(root)?.url;
  return url ? [`Web UI:           ${url}`] : [];
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'Show the engine root, sockets, runtime and counts',
  usage: 'fd info [--format json]',
  async run(argv, ctx) {
    const { flags } = parseArgs(argv, { format: { type: 'string', short: 'f', description: 'json for machine output' } });
    const info = await (await ctx.client()).call('system.info', {});
    const out = ctx.io.stdout;
    if (flags.format === 'json') {
      out.write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    const c = info.counts;
    const lines = [
      `Engine version:   ${info.version} (pid ${info.pid})`,
      `Data root:        ${info.root}`,
      `Engine socket:    ${info.engineSocket}`,
      `Docker socket:    ${info.dockerSocket ?? '(not listening)'}`,
      ...(info.dockerHost ? [`Use with docker:  export DOCKER_HOST=${info.dockerHost}`] : []),
      ...webUiLines(info.root),
      `Mode:             ${info.rootless ? 'rootless' : 'root'}`,
      `Runtime:          ${info.runtime.name} (${info.runtime.path ?? 'not found'})`,
      `Containers:       ${c.containers} (running ${c.running}, paused ${c.paused}, stopped ${c.stopped})`,
      `Images:           ${c.images}`,
      `Volumes:          ${c.volumes}`,
      `Networks:         ${c.networks}`,
      `Events logged:    ${c.events}`,
      'Tools:',
      ...Object.entries(info.tools).map(([name, p]) => `  ${name.padEnd(14)} ${p ?? 'missing'}`),
    ];
    out.write(`${lines.join('\n')}\n`);
    for (const w of info.warnings) ctx.io.stderr.write(`WARNING: ${w}\n`);
    return 0;
  },
};
