// Starting a created runc container without running `runc start`: runc's init process waits, blocked, to
// open `<state>/<id>/exec.fifo` for writing; `runc start` opens the read side, reads the byte init writes
// before it execs the user's process, and removes the FIFO (its absence is how runc tells `running` from
// `created`). Doing the same here saves one runc process (10-15 ms) on every start; when anything is off the
// caller falls back to `runc start`, which says what is wrong.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isAlive } from './host';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the FIFO yields until init closes it by exec (or dies). */
function drain(fd: number): Promise<number> {
  return new Promise((resolve) => {
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    let bytes = 0;
    pipe.on('data', (d: Buffer) => (bytes += d.length));
    pipe.once('error', () => resolve(bytes));
    pipe.once('close', () => resolve(bytes));
  });
}

/**
 * True when the container's process was released; false when the FIFO is not there or init never wrote
 * (the caller then runs `runc start`). `initPid` is the pid `runc create` reported.
 */
export async function startThroughExecFifo(stateRoot: string, id: string, initPid: number, timeoutMs = 10_000): Promise<boolean> {
  const fifo = path.join(stateRoot, id, 'exec.fifo');
  const deadline = Date.now() + timeoutMs;
  for (let step = 1; Date.now() < deadline; step = Math.min(step * 2, 20)) {
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
    // A read with no writer yet is an immediate EOF: init had not reached its open. Try again while it lives.
    if ((await drain(fd)) > 0) {
      fs.rmSync(fifo, { force: true });
      return true;
    }
    if (!isAlive(initPid, null)) return false;
    await sleep(step);
  }
  return false;
}
