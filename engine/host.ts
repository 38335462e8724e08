// startEngineHost: one engine per data root (lock), its store, and its sockets. Used by `fd engine` and by
// the Electron main process alike.
import fs from 'node:fs';
import { createEngine, type Engine } from './engine';
import { lockRoot } from './host/lock';
import { rootPaths, type RootPaths } from './paths';
import { consoleLogger, type Logger } from './context';
import { serveContractOnUnix, type UnixServer } from './transport/unix';
import type { RetentionPolicy } from './events/log';
import { startWebUi, type WebUiServer } from './webui/server';
import { startDockerApi, type DockerApiServer } from './dockerapi/server';
import { prepareRootlessHost } from './rootless';

export interface HostOptions {
  root: string;
  engineSocket?: string;
  dockerSocket?: string;
  log?: Logger;
  retention?: RetentionPolicy;
  /** Serve the web UI (renderer + contract over a WebSocket) on this address; loopback unless allowRemote. */
  ui?: { host: string; port: number; allowRemote?: boolean; rotateToken?: boolean };
}

export interface EngineHost {
  engine: Engine;
  paths: RootPaths;
  /** Present when started with `ui`: the page URL with its token. */
  ui?: { url: string; port: number };
  /** The Docker Engine API socket server. */
  docker: DockerApiServer;
  /** Stops serving and closes the store; containers keep running under conmon. */
  close(): Promise<void>;
}

export async function startEngineHost(options: HostOptions): Promise<EngineHost> {
  const log = options.log ?? consoleLogger;
  const paths = rootPaths(options.root, options);
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o711 });
  prepareRootlessHost(paths, (m) => log.warn(m));
  const lock = await lockRoot(paths.root, paths.pidFile);
  let engine: Engine | null = null;
  const servers: UnixServer[] = [];
  let webUi: WebUiServer | null = null;
  let docker: DockerApiServer | undefined;
  const closeAll = async () => {
    await webUi?.close();
    for (const s of servers.reverse()) await s.close();
    await engine?.stop();
    await lock.release();
  };
  try {
    engine = createEngine({ paths, log, retention: options.retention });
    await engine.start();
    servers.push(await serveContractOnUnix(engine.api, paths.engineSocket, log));
    docker = await startDockerApi({ api: engine.api, path: paths.dockerSocket, log });
    servers.push(docker);
    engine.ctx.dockerSocket = docker.path;
    if (options.ui) webUi = await startWebUi({ root: paths.root, api: engine.api, log, ...options.ui });
    engine.ctx.events.append({ type: 'engine', action: 'start', actor: { id: 'engine', attributes: { pid: String(process.pid) } } });
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    engine,
    paths,
    docker: docker!,
    ...(webUi ? { ui: { url: webUi.url, port: webUi.port } } : {}),
    close() {
      closing ??= (async () => {
        engine?.ctx.events.append({ type: 'engine', action: 'stop', actor: { id: 'engine', attributes: { pid: String(process.pid) } } });
        await closeAll();
      })();
      return closing;
    },
  };
}
