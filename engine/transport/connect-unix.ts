// The client end of the engine socket, apart from the server so a CLI command loads no dispatch (and no schemas).
import net from 'node:net';
import { EngineClient } from '../api/client';
import { EngineError } from '../api/errors';
import type { ClientMessage, ServerMessage } from '../api/protocol';
import { SocketPort } from './frames';

/** Connects to an engine socket; fails with `unavailable` naming the socket when no engine answers. */
export function connectUnix(path: string): Promise<EngineClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      const port = new SocketPort<ClientMessage, ServerMessage>(socket, () => socket.destroy());
      socket.on('error', () => undefined);
      resolve(new EngineClient(port));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new EngineError(
          'unavailable',
          `cannot reach the engine at ${path}: is \`fd engine\` or the app running?` + (err.code === 'EACCES' ? ' (permission denied on the socket)' : ''),
        ),
      );
    });
  });
}
