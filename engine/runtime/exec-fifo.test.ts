import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startThroughExecFifo } from './exec-fifo';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-fifo-'));
  fs.mkdirSync(path.join(root, 'c1'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const fifo = () => path.join(root, 'c1', 'exec.fifo');
const mkfifo = () => expect(spawnSync('mkfifo', [fifo()]).status).toBe(0);

/** Stands in for runc init: waits `delay` s, then blocks opening the FIFO for writing and writes "0". */
function init(delay: number) {
  return spawn('sh', ['-c', `sleep ${delay}; printf 0 > ${fifo()}; sleep 5`], { stdio: 'ignore' });
}

describe('starting through runc exec FIFO', () => {
  it('releases a waiting init, whether it opened the FIFO before or after us, and removes the FIFO', async () => {
    for (const delay of [0, 0.3]) {
      mkfifo();
      const child = init(delay);
      try {
        expect(await startThroughExecFifo(root, 'c1', child.pid!)).toBe(true);
        expect(fs.existsSync(fifo())).toBe(false);
      } finally {
        child.kill('SIGKILL');
      }
    }
  });

  it('reports false (so runc start runs and explains) without a FIFO, for a plain file, or when init is gone', async () => {
    expect(await startThroughExecFifo(root, 'c1', process.pid)).toBe(false);
    fs.writeFileSync(fifo(), '0');
    expect(await startThroughExecFifo(root, 'c1', process.pid)).toBe(false);
    fs.rmSync(fifo());
    mkfifo();
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    expect(await startThroughExecFifo(root, 'c1', dead.pid!, 2000)).toBe(false);
    expect(fs.existsSync(fifo())).toBe(true);
  });
});
