// How the desktop app reaches its engine. The engine never runs on Electron's main thread: layer unpacking,
// hashing and SQLite would stall menus and IPC. So main either connects to an engine already on the root
// (`fd engine`, another app instance) or starts one as a child process (`fd engine` through Electron's
// utilityProcess.fork in a packaged app, child_process.fork under Node otherwise) and is its client over
// the engine socket. Either way main ends up with the same two things: an EngineApi to serve renderers
// through the one dispatcher, and an EngineClient for its own needs (tray, compose files, quit-and-stop-all).
import { fork } from 'node:child_process';
import os from 'node:os';
import { contract, type EngineApi } from '../engine/api/contract';
import type { EngineClient } from '../engine/api/client';
import { EngineError } from '../engine/api/errors';
import type { Logger } from '../engine/context';
import { rootPaths } from '../engine/paths';
import { connectUnix } from '../engine/transport/unix';

export interface EngineLink {
  /** client: of an engine already on the root; child: of the `fd engine` this link started. */
  mode: 'client' | 'child';
  root: string;
  /** Served to renderers through the dispatcher (validated there, and again by the engine). */
  api: EngineApi;
  /** Main's own typed client of the same engine. */
  client: EngineClient;
  /** Resolves when the link is lost: the engine closed the connection, or our child engine exited. */
  lost: Promise<Error>;
  /** Disconnects; a child engine is stopped (SIGTERM: containers keep running under conmon). */
  close(): Promise<void>;
  /**
   * The app is exiting without an orderly close (app.exit, a crash): sends a child engine SIGTERM at once, so
   * it stops on its own instead of outliving the app. Synchronous, for process 'exit' handlers.
   */
  abandon(): void;
}

/** A running engine process, whatever started it (child_process or Electron's utilityProcess). */
export interface EngineProcess {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Sends SIGTERM (or the given signal). */
  kill(signal?: NodeJS.Signals): void;
  /** Called once with the exit code (128+n for a signal). */
  onExit(listener: (code: number) => void): void;
}

/** Starts `fd ARGS` (here always `--root ROOT engine`) as a process of its own. */
export type EngineLauncher = (args: string[], env: NodeJS.ProcessEnv) => EngineProcess;

export interface LinkOptions {
  root: string;
  log: Logger;
  engineSocket?: string;
  /** How to start an engine when none answers on the root; without it the link only connects. */
  launch?: EngineLauncher;
  /** How long a started engine may take to print "engine ready" (default 30 s). */
  readyTimeoutMs?: number;
}

/** child_process.fork of the CLI bundle (dist/cli.js) under `execPath` (a Node whose ABI fits the SQLite addon). */
export function forkLauncher(cliPath: string, execPath: string = process.execPath): EngineLauncher {
  return (args, env) => {
    // execArgv: none of ours (a test runner's loaders, an inspector port) belongs in the engine.
    const child = fork(cliPath, args, { execPath, execArgv: [], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    return {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      kill: (signal = 'SIGTERM') => void child.kill(signal),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code ?? (signal ? 128 + signalNumber(signal) : 1))),
    };
  };
}

/** The slice of Electron's `utilityProcess` this module uses (no `electron` import: tests run under Node). */
export interface UtilityProcessLike {
  fork(
    modulePath: string,
    args: string[],
    options: { env: NodeJS.ProcessEnv; stdio: 'pipe'; serviceName: string },
  ): {
    readonly pid: number | undefined;
    readonly stdout: NodeJS.ReadableStream | null;
    readonly stderr: NodeJS.ReadableStream | null;
    kill(): boolean;
    once(event: 'exit', listener: (code: number) => void): unknown;
  };
}

/**
 * Electron's utilityProcess.fork of the CLI bundle: a Node child started through Chromium's services. Electron
 * puts the entry script at argv[1] (lib/utility/init.ts), so the CLI reads its arguments as under Node.
 */
export function utilityLauncher(utility: UtilityProcessLike, cliPath: string): EngineLauncher {
  return (args, env) => {
    const child = utility.fork(cliPath, args, { env, stdio: 'pipe', serviceName: 'Flying Dutchman engine' });
    return {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      // utilityProcess only sends SIGTERM; that is all an engine needs to stop cleanly.
      kill: () => void child.kill(),
      onExit: (listener) => void child.once('exit', listener),
    };
  };
}

const signalNumber = (signal: NodeJS.Signals): number => os.constants.signals[signal] ?? 0;

/** An EngineApi whose handlers forward to a remote engine; cancelling a stream here cancels it there. */
export function clientAsApi(client: EngineClient): EngineApi {
  type Loose = {
    call(m: string, i: unknown): Promise<unknown>;
    stream(m: string, i: unknown, o: { signal: AbortSignal }): AsyncIterable<unknown>;
  };
  const loose = client as unknown as Loose;
  const api: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(contract)) {
    api[name] =
      spec.kind === 'call'
        ? (input: unknown) => loose.call(name, input)
        : (input: unknown, ctx: { signal: AbortSignal }) => loose.stream(name, input, { signal: ctx.signal });
  }
  return api as EngineApi;
}

/** Watches a client's connection with a live events stream: it ends only when the connection does. */
function watchConnection(client: EngineClient): Promise<Error> {
  return (async () => {
    try {
      for await (const _ of client.stream('events.subscribe', { filters: { type: ['engine'] } }, { window: 4 })) void _;
      return new EngineError('unavailable', 'the engine closed the connection');
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  })();
}

async function tryConnect(socket: string): Promise<EngineClient | null> {
  try {
    const client = await connectUnix(socket);
    // A socket file can outlive a killed engine, and a starting engine may accept before it serves.
    await client.call('system.ping', {});
    return client;
  } catch {
    return null;
  }
}

interface StartedEngine {
  process: EngineProcess;
  exited: Promise<number>;
  output: () => string;
}

/** Starts an engine and resolves once it prints "engine ready"; rejects with its output if it exits first. */
async function startEngine(launch: EngineLauncher, options: LinkOptions): Promise<StartedEngine> {
  const env: NodeJS.ProcessEnv = { ...process.env, FD_ROOT: options.root };
  delete env.ELECTRON_RUN_AS_NODE;
  const proc = launch(['--root', options.root, 'engine'], env);
  let output = '';
  const exited = new Promise<number>((resolve) => proc.onExit(resolve));
  const tail = () => output.trim().slice(-600);
  await new Promise<void>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new EngineError('unavailable', `the engine did not get ready in ${timeoutMs / 1000} s: ${tail()}`));
    }, timeoutMs);
    const onData = (d: Buffer | string) => {
      output += d.toString();
      if (/^engine ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new EngineError('unavailable', `the engine exited with ${code} before it was ready: ${tail()}`));
    });
  });
  // Keep reading (a full pipe would block the engine), but only the last bit is ever shown.
  const keep = (d: Buffer | string) => (output = (output + d.toString()).slice(-4000));
  proc.stdout?.removeAllListeners('data');
  proc.stderr?.removeAllListeners('data');
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return { process: proc, exited, output: () => output };
}

async function stopEngine(engine: StartedEngine): Promise<void> {
  let done = false;
  void engine.exited.then(() => (done = true));
  await Promise.resolve();
  if (done) return;
  engine.process.kill('SIGTERM');
  const timer = setTimeout(() => engine.process.kill('SIGKILL'), 10_000);
  await engine.exited;
  clearTimeout(timer);
}

function clientLink(options: LinkOptions, client: EngineClient): EngineLink {
  return {
    mode: 'client',
    root: options.root,
    api: clientAsApi(client),
    client,
    lost: watchConnection(client),
    close: async () => client.close(),
    abandon: () => undefined,
  };
}

export async function openEngineLink(options: LinkOptions): Promise<EngineLink> {
  const socket = options.engineSocket ?? rootPaths(options.root).engineSocket;
  const existing = await tryConnect(socket);
  if (existing) {
    options.log.info(`an engine already runs on ${options.root}; connecting to it as a client`);
    return clientLink(options, existing);
  }
  if (!options.launch) throw new EngineError('unavailable', `no engine answers at ${socket}; start one with \`fd --root ${options.root} engine\``);

  let engine: StartedEngine;
  try {
    engine = await startEngine(options.launch, options);
  } catch (err) {
    // Another engine may have taken the root between our connect and its start (two app instances).
    const raced = await tryConnect(socket);
    if (raced) return clientLink(options, raced);
    throw err;
  }
  const client = await tryConnect(socket);
  if (!client) {
    await stopEngine(engine);
    throw new EngineError('unavailable', `the engine said it was ready but ${socket} does not answer: ${engine.output().trim().slice(-600)}`);
  }
  const lost = Promise.race([
    watchConnection(client),
    engine.exited.then((code) => new EngineError('unavailable', `the engine exited with ${code}: ${engine.output().trim().slice(-600)}`)),
  ]);
  return {
    mode: 'child',
    root: options.root,
    api: clientAsApi(client),
    client,
    lost,
    close: async () => {
      client.close();
      await stopEngine(engine);
    },
    abandon: () => engine.process.kill('SIGTERM'),
  };
}
