import type { Command } from '../command';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
// The engine is loaded only by `fd engine`: every other command starts without parsing it (a third of `fd`'s
// start-up time went there).

export const engineCommand: Command = {
  name: 'engine',
  summary: 'Run the engine in the foreground (headless host)',
  usage: 'fd engine [--docker-socket PATH] [--ui [HOST:]PORT [--ui-remote] [--ui-new-token]]',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      'docker-socket': { type: 'string', description: 'Where to put the Docker API socket', value: 'PATH' },
      ui: { type: 'string', description: 'Serve the web UI on loopback at [HOST:]PORT (0 = any free port)', value: '[HOST:]PORT' },
      'ui-remote': { type: 'bool', description: 'Allow --ui on a non-loopback address (the token is then all that protects the engine)' },
      'ui-new-token': { type: 'bool', description: 'Make a fresh web UI token instead of reusing ROOT/webui.json' },
    });
    if (args.length) throw new UsageError(`"fd engine" takes no arguments (got ${args.join(' ')})`);
    const { startEngineHost, parseListenAddress, runEngineInUserNamespace } = await import('../engine-bundle');
    const ui = flags.ui === undefined ? undefined : { ...parseListenAddress(flags.ui), allowRemote: flags['ui-remote'], rotateToken: flags['ui-new-token'] };
    // Not root: the same command runs again inside the engine's user namespace (engine/rootless).
    const inner = await runEngineInUserNamespace(ctx.root);
    if (inner !== null) return inner;
    const host = await startEngineHost({ root: ctx.root, dockerSocket: flags['docker-socket'], ui });
    // Handlers go in before "engine ready" is printed: a signal sent the instant a supervisor reads it
    // must still stop the engine cleanly.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        ctx.io.stderr.write(`[fd] ${signal}: stopping the engine (containers keep running)\n`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    // The URL comes before "engine ready" so a reader that waits for ready has it.
    if (host.ui) ctx.io.stdout.write(`web UI: ${host.ui.url}\n`);
    ctx.io.stdout.write(`engine ready\nroot: ${host.paths.root}\nengine socket: ${host.paths.engineSocket}\n`);
    await stopped;
    await host.close();
    return 0;
  },
};
