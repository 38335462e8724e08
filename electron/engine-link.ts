// How the desktop app reaches its engine: it hosts one on the root (startEngineHost), or — when an engine
// already runs there (`fd engine`, another app) — it becomes a client of that engine's socket. Either way main
// ends up with the same two things: an EngineApi to serve renderers through the one dispatcher, and an
// EngineClient for its own needs (tray, quit-and-stop-all).
import { contract, type EngineApi } from '../engine/api/contract';
import { EngineClient } from '../engine/api/client';
import { EngineError } from '../engine/api/errors';
import type { ClientMessage, Port, ServerMessage } from '../engine/api/protocol';
import type { Logger } from '../engine/context';
import { startEngineHost, type EngineHost } from '../engine/host';
import { rootPaths } from '../engine/paths';
import { serveConnection } from '../engine/transport/dispatch';
import { connectUnix } from '../engine/transport/unix';

export interface EngineLink {
  mode: 'hosted' | 'client';
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

export interface LinkOptions {
  root: string;
  log: Logger;
  engineSocket?: string;
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

export async function openEngineLink(options: LinkOptions): Promise<EngineLink> {
  let host: EngineHost;
  try {
    host = await startEngineHost({ root: options.root, log: options.log, engineSocket: options.engineSocket });
  } catch (err) {
    if (!(err instanceof EngineError && err.code === 'conflict')) throw err;
    // Another engine holds the root's lock: use it instead of refusing to start.
    options.log.info(`${err.message}; connecting to it as a client`);
    const client = await connectUnix(options.engineSocket ?? rootPaths(options.root).engineSocket);
    return {
      mode: 'client',
      root: options.root,
      api: clientAsApi(client),
      client,
      lost: watchConnection(client),
      close: async () => client.close(),
    };
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
