// How the desktop app reaches its engine: it hosts one on the root (startEngineHost), or — when an engine
// already runs there (`fd engine`, another app) — it becomes a client of that engine's socket. Either way main
// ends up with the same two things: an EngineApi to serve renderers through the one dispatcher, and an
// EngineClient for its own needs (tray, quit-and-stop-all).
//
// The host is loaded lazily: its SQLite addon is built for the Node that ran `npm ci`, and an unpackaged
// Electron (another Node ABI) cannot load it. Then — and only then — the engine runs as a child `fd engine`
// under that Node and the app is its client, instead of failing to start at all.
import { spawn } from 'node:child_process';
import { contract, type EngineApi } from '../engine/api/contract';
import { EngineClient } from '../engine/api/client';
import { EngineError } from '../engine/api/errors';
import type { ClientMessage, Port, ServerMessage } from '../engine/api/protocol';
import type { Logger } from '../engine/context';
import type { EngineHost, startEngineHost } from '../engine/host';
import { rootPaths } from '../engine/paths';
import { serveConnection } from '../engine/transport/dispatch';
import { connectUnix } from '../engine/transport/unix';

export interface EngineLink {
  /** hosted: in this process; client: of an engine already on the root; child: of an `fd engine` we started. */
  mode: 'hosted' | 'client' | 'child';
  root: string;
  /** Served to renderers through the dispatcher (validated there). */
  api: EngineApi;
  /** Main's own typed client of the same engine. */
  client: EngineClient;
  /** Resolves when the link is lost (the engine we are a client of went away); never for a hosted engine. */
  lost: Promise<Error>;
  /** Hosted: stops the engine (containers keep running under conmon). Client: disconnects. */
  close(): Promise<void>;
}

export interface ChildEngineCommand {
  command: string;
  /** Arguments up to (not including) `--root ROOT engine`. */
  args: string[];
}

export interface LinkOptions {
  root: string;
  log: Logger;
  engineSocket?: string;
  /** How to run `fd engine` when the host cannot be loaded in this process (see above). */
  childEngine?: ChildEngineCommand;
  /** Test seam: how the in-process host is loaded. */
  loadHost?: () => Promise<typeof startEngineHost>;
}

const loadHostModule = async () => (await import('../engine/host')).startEngineHost;

/** The error a native addon built for another Node ABI (or platform) throws on load. */
export function isNativeLoadError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  return !!e && (e.code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION|compiled against a different Node\.js|invalid ELF header/.test(String(e.message)));
}

/** Two in-memory ports joined back to back; delivery is asynchronous like every real transport. */
function memoryPorts(): [Port<ClientMessage, ServerMessage>, Port<ServerMessage, unknown>] {
  type Side<In> = { message: ((m: In) => void)[]; close: ((e?: Error) => void)[] };
  const client: Side<ServerMessage> = { message: [], close: [] };
  const server: Side<unknown> = { message: [], close: [] };
  let closed = false;
  const closeBoth = () => {
    if (closed) return;
    closed = true;
    for (const l of [...client.close, ...server.close]) queueMicrotask(() => l());
  };
  return [
    {
      send: (m) => void (!closed && queueMicrotask(() => server.message.forEach((l) => l(m)))),
      onMessage: (l) => void client.message.push(l),
      onClose: (l) => void client.close.push(l),
      close: closeBoth,
    },
    {
      send: (m) => void (!closed && queueMicrotask(() => client.message.forEach((l) => l(m)))),
      onMessage: (l) => void server.message.push(l),
      onClose: (l) => void server.close.push(l),
      close: closeBoth,
    },
  ];
}

/** A client of an in-process engine, through the same dispatcher (and validation) as every transport. */
export function inProcessClient(api: EngineApi, log?: { warn(m: string): void }): EngineClient {
  const [clientPort, serverPort] = memoryPorts();
  serveConnection(api, serverPort, log);
  return new EngineClient(clientPort);
}

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

/** Watches a client's connection with a live events stream (which the tray wants anyway). */
function watchConnection(client: EngineClient): Promise<Error> {
  return (async () => {
    try {
      for await (const _ of client.stream('events.subscribe', {}, { window: 4 })) void _;
      return new EngineError('unavailable', 'the engine closed the connection');
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  })();
}

async function connectAsClient(options: LinkOptions, mode: 'client' | 'child', stop: () => Promise<void>): Promise<EngineLink> {
  const client = await connectUnix(options.engineSocket ?? rootPaths(options.root).engineSocket);
  return {
    mode,
    root: options.root,
    api: clientAsApi(client),
    client,
    lost: watchConnection(client),
    close: async () => {
      client.close();
      await stop();
    },
  };
}

/** Runs `fd engine` on the root and resolves once it prints "engine ready"; close() stops it (SIGTERM). */
async function startChildEngine(cmd: ChildEngineCommand, options: LinkOptions): Promise<() => Promise<void>> {
  const child = spawn(cmd.command, [...cmd.args, '--root', options.root, 'engine'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new EngineError('unavailable', `fd engine did not get ready in 30 s: ${output.trim().slice(-500)}`)), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(err);
    };
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/^engine ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => fail(new EngineError('unavailable', `cannot run the engine with ${cmd.command}: ${err.message}`)));
    void exited.then((code) => fail(new EngineError('unavailable', `fd engine exited with ${code}: ${output.trim().slice(-500)}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

export async function openEngineLink(options: LinkOptions): Promise<EngineLink> {
  let host: EngineHost;
  try {
    const startHost = await (options.loadHost ?? loadHostModule)();
    host = await startHost({ root: options.root, log: options.log, engineSocket: options.engineSocket });
  } catch (err) {
    if (err instanceof EngineError && err.code === 'conflict') {
      // Another engine holds the root's lock: use it instead of refusing to start.
      options.log.info(`${err.message}; connecting to it as a client`);
      return connectAsClient(options, 'client', async () => undefined);
    }
    if (isNativeLoadError(err) && options.childEngine) {
      options.log.warn(`cannot host the engine in this process (${(err as Error).message.split('\n')[0]}); running it as \`fd engine\` instead`);
      const stop = await startChildEngine(options.childEngine, options);
      try {
        return await connectAsClient(options, 'child', stop);
      } catch (connectErr) {
        await stop();
        throw connectErr;
      }
    }
    throw err;
  }
  const client = inProcessClient(host.engine.api, options.log);
  return {
    mode: 'hosted',
    root: options.root,
    api: host.engine.api,
    client,
    lost: new Promise<Error>(() => undefined),
    close: async () => {
      client.close();
      await host.close();
    },
  };
}
