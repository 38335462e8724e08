import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { startEngineHost } from '../../host';

export const engineCommand: Command = {
  name: 'engine',
  summary: 'Run the engine in the foreground (headless host)',
  usage: 'fd engine [--docker-socket PATH]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      'docker-socket': { type: 'string', description: 'Where to put the Docker API socket', value: 'PATH' },
    });
    if (args.length) throw new UsageError(`"fd engine" takes no arguments (got ${args.join(' ')})`);
    const host = await startEngineHost({ root: ctx.root, dockerSocket: flags['docker-socket'] });
    ctx.io.stdout.write(`engine ready\nroot: ${host.paths.root}\nengine socket: ${host.paths.engineSocket}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        ctx.io.stderr.write(`[fd] ${signal}: stopping the engine (containers keep running)\n`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await host.close();
    return 0;
  },
};
