import type { EngineClient } from '../api/client';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export interface CliContext {
  root: string;
  /** Set by `--root`/`FD_ROOT`: sockets are then always ROOT/engine.sock and ROOT/docker.sock. */
  explicitRoot: boolean;
  io: CliIO;
  /** Connects to the engine socket (once); fails with a clear "cannot reach the engine" error. */
  client(): Promise<EngineClient>;
}

export interface Command {
  name: string;
  /** One line for `fd --help`. */
  summary: string;
  usage: string;
  /** `-h` is one of the command's own flags (docker's run/create: --hostname): only `--help` asks for help. */
  ownsShortH?: boolean;
  /** Returns the process exit code. */
  run(argv: string[], ctx: CliContext): Promise<number>;
}
