// Our engine as a benchmark peer: `bin/fd engine` as a child process on a throwaway root (the way users run
// it), measured from outside like dockerd. `stop()` removes what the bench left (containers, mounts, the root).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fdBin } from '../paths';
import { rssMb } from './rss';

export interface FdPeer {
  root: string;
  /** Argv prefix for the CLI against this engine: `node bin/fd --root ROOT`. */
  cli: string[];
  /** DOCKER_HOST for the docker CLI against our Docker API socket. */
  dockerEnv: NodeJS.ProcessEnv;
  pid: number;
  rssMb(): number;
  /** Runs `fd ARGS` to completion; rejects on a non-zero exit. */
  fd(args: string[]): string;
  /** What the engine printed so far (e.g. the `web UI:` line with --ui). */
  output(): string;
  stop(): Promise<void>;
}

/** `engineArgs` go after `fd engine` (e.g. `--ui 127.0.0.1:0`). */
export async function startFd(engineArgs: string[] = []): Promise<FdPeer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-fd-'));
  const child: ChildProcess = spawn(process.execPath, [fdBin, '--root', root, 'engine', ...engineArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fd engine not ready in 20 s: ${out}`)), 20_000);
    const check = () => {
      if (out.includes('engine ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fd engine exited ${code}: ${out}`));
    });
  });
  await ready.catch((err: unknown) => {
    if (!exited) child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  });
  const cli = [process.execPath, fdBin, '--root', root];
  const fd = (args: string[]) => {
    const r = spawnSync(cli[0]!, [...cli.slice(1), ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`fd ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  return {
    root,
    cli,
    dockerEnv: { DOCKER_HOST: `unix://${path.join(root, 'docker.sock')}`, DOCKER_CONFIG: path.join(root, '.docker-cli') },
    pid: child.pid!,
    rssMb: () => rssMb(child.pid!),
    fd,
    output: () => out,
    async stop() {
      try {
        if (!exited) {
          const ids = fd(['ps', '-aq']).split('\n').filter(Boolean);
          for (let i = 0; i < ids.length; i += 50) fd(['rm', '-f', ...ids.slice(i, i + 50)]);
        }
      } catch {
        // the engine is gone or broken: the mounts and the root still go below
      }
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(root));
      for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
