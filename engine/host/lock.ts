// One engine per data root. The lock is an abstract unix socket named after the root: binding it is atomic
// and the kernel releases it the instant the engine dies, even by SIGKILL, so there are no stale locks to
// guess about. The pid file beside it only tells the second engine whom it lost to.
import net from 'node:net';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { EngineError } from '../api/errors';

export interface RootLock {
  release(): Promise<void>;
}

function lockName(root: string) {
  return `\0flying-dutchman/${crypto.createHash('sha256').update(root).digest('hex').slice(0, 32)}`;
}

function readPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

export async function lockRoot(root: string, pidFile: string): Promise<RootLock> {
  const server = net.createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lockName(root), () => resolve());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const pid = readPid(pidFile);
      throw new EngineError('conflict', `engine already running (pid ${pid ?? 'unknown'}) on ${root}`);
    }
    throw err;
  }
  server.unref();
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  return {
    release: () =>
      new Promise<void>((resolve) => {
        if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
        server.close(() => resolve());
      }),
  };
}
