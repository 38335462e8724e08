// Starting a created runc container without running `runc start`: runc's init process waits, blocked, to
// open `<state>/<id>/exec.fifo` for writing; `runc start` opens the read side, reads the byte init writes
// before it execs the user's process, and removes the FIFO (its absence is how runc tells `running` from
// `created`). Doing the same here saves one runc process (10-15 ms) on every start; when anything is off the
// caller falls back to `runc start`, which says what is wrong.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isAlive } from './host';

/**
 * Everything the FIFO yields until init closes it by its exec. A reader that came before any writer sees no
 * hang-up (the kernel waits for a writer to come and go), so this waits for init to open, and gives up when
 * init dies first or the deadline passes.
 */
function drain(fd: number, initPid: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    let bytes = 0;
    const deadline = Date.now() + timeoutMs;
    const watch = setInterval(() => {
      if (!isAlive(initPid, null) || Date.now() > deadline) pipe.destroy();
    }, 10);
    const done = () => {
      clearInterval(watch);
      resolve(bytes);
    };
    pipe.on('data', (d: Buffer) => (bytes += d.length));
    pipe.once('error', done);
    pipe.once('close', done);
  });
}

/**
 * True when the container's process was released; false when the FIFO is not there or init never wrote
 * (the caller then runs `runc start`). `initPid` is the pid `runc create` reported.
 */
export async function startThroughExecFifo(stateRoot: string, id: string, initPid: number, timeoutMs = 10_000): Promise<boolean> {
  const fifo = path.join(stateRoot, id, 'exec.fifo');
  let fd: number;
  try {
    fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return false;
  }
  if (!fs.fstatSync(fd).isFIFO()) {
    fs.closeSync(fd);
    return false;
  }
  if ((await drain(fd, initPid, timeoutMs)) === 0) return false;
  fs.rmSync(fifo, { force: true });
  return true;
}
