// Device nodes and overlay whiteouts (0/0 character devices) through mknod(1): Node has no mknod call.
import { spawn } from 'node:child_process';

export function runMknod(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mknod', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mknod ${args.join(' ')}: ${err.trim()}`))));
  });
}
