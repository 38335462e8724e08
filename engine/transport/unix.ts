// The engine socket: the contract over a unix socket, used by the CLI and by a desktop app that finds an
// engine already running on its root.
import net from 'node:net';
import fs from 'node:fs';
import type { EngineApi } from '../api/contract';
import type { ServerMessage } from '../api/protocol';
import { SocketPort } from './frames';
import { serveConnection, type DispatchLog } from './dispatch';

export interface UnixServer {
  path: string;
  close(): Promise<void>;
}

/**
 * Listens on a unix socket at `path` with exactly `mode` (0660: owner and group only), replacing a stale socket
 * file. The socket is created with no access and then opened up: no window where others can connect. Works for
 * any net.Server, http.Server included.
 */
export async function listenPrivate(server: net.Server, path: string, mode: number): Promise<void> {
  fs.rmSync(path, { force: true });
  const oldMask = process.umask(0o777);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  fs.chmodSync(path, mode);
}

export async function listenUnix(path: string, mode: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onConnection);
  await listenPrivate(server, path, mode);
  return server;
}

export async function serveContractOnUnix(api: EngineApi, path: string, log: DispatchLog): Promise<UnixServer> {
  const sockets = new Set<net.Socket>();
  const server = await listenUnix(path, 0o660, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const port = new SocketPort<ServerMessage, unknown>(socket, (error, fatal) => {
      log.warn(`engine socket: ${error.message}${fatal ? ' (connection closed)' : ''}`);
      port.send({ t: 'error', id: null, error: { code: 'invalid', message: error.message } });
    });
    serveConnection(api, port, log);
  });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export { connectUnix } from './connect-unix';
