// `fd [--root DIR] COMMAND ...`: global flags, then the command. Errors print one line naming the problem
// and exit 125, like docker.
import type { EngineClient } from '../api/client';
import { EngineError } from '../api/errors';
import { resolveRoot, rootPaths } from '../paths';
import type { CliContext, CliIO } from './command';
import { commands } from './registry';
import { EXIT_ENGINE, ExitCode, UsageError } from './errors';
import { ENGINE_VERSION } from '../version';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: fd [--root DIR] COMMAND [ARGS...]',
    '',
    'Flying Dutchman: containers on runc + conmon, with a Docker-compatible API.',
    '',
    'Global options:',
    '  --root DIR     Data root (also FD_ROOT; default /var/lib/flying-dutchman as root,',
    '                 $XDG_DATA_HOME/flying-dutchman otherwise)',
    '  -v, --version  Print the version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "fd COMMAND --help" for a command\'s usage.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let rootFlag: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root') {
      rootFlag = argv[++i];
      if (!rootFlag) return usage(io, 'flag needs an argument: --root');
    } else if (a.startsWith('--root=')) rootFlag = a.slice('--root='.length);
    else if (a === '-v' || a === '--version') {
      io.stdout.write(`fd version ${ENGINE_VERSION}\n`);
      return 0;
    } else if (a === '-h' || a === '--help') {
      io.stdout.write(`${help()}\n`);
      return 0;
    } else break;
  }
  const name = argv[i];
  if (!name) {
    io.stdout.write(`${help()}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) return usage(io, `unknown command "${name}": see "fd --help"`);
  const command = await entry.load();
  const rest = argv.slice(i + 1);
  if (rest.includes('--help') || (!command.ownsShortH && rest.includes('-h'))) {
    io.stdout.write(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  const root = resolveRoot(rootFlag, io.env);
  let client: Promise<EngineClient> | null = null;
  const ctx: CliContext = {
    root,
    explicitRoot: Boolean(rootFlag || io.env.FD_ROOT),
    io,
    // Loaded on first use: `fd --help` and usage errors never load node:net.
    client: () => (client ??= import('../transport/connect-unix').then(({ connectUnix }) => connectUnix(rootPaths(root).engineSocket))),
  };
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof ExitCode) return err.code;
    if (err instanceof UsageError) return usage(io, `${err.message}\nUsage: ${command.usage}`);
    const message = err instanceof EngineError || err instanceof Error ? err.message : String(err);
    io.stderr.write(`fd: ${message}\n`);
    return EXIT_ENGINE;
  } finally {
    if (client) (await (client as Promise<EngineClient>).catch(() => null))?.close();
  }
}

function usage(io: CliIO, message: string): number {
  io.stderr.write(`fd: ${message}\n`);
  return EXIT_ENGINE;
}

export function cliEntry() {
  // `fd ps --format json | head`: the reader leaving early is not an error, as with any Unix tool.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    // process.stdin makes a stream (a millisecond or two): only commands that read it pay for it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Streams and sockets are closed by now; exit promptly even if a stray handle lingers.
      setImmediate(() => process.exit(code));
    },
    (err: Error) => {
      process.stderr.write(`fd: ${err.stack ?? err.message}\n`);
      process.exit(EXIT_ENGINE);
    },
  );
}

