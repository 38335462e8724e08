// `logs -f` throughput and engine memory: a container writes 200 MB of 100-byte lines (made in the container
// first, then `cat` in big writes, so the writer is not what is measured) and exits; then the CLI follows the
// log from the start to its end while the engine's RSS is sampled every 50 ms (dockerd+containerd for docker).
// A follower that buffered instead of applying backpressure shows here as RSS growing with the log.
import { spawn, spawnSync } from 'node:child_process';
import { median, type BenchCase, type CaseResult } from '../harness';
import { startBenchRegistry } from '../fixtures';
import { DOCKER_CLI, dockerdInstalled, startDockerd } from '../peers/dockerd';
import { startFd } from '../peers/fd';

const LOG_BYTES = 200 * 1024 * 1024;
// 99 characters + newline.
const LINE = 'fd-bench-log-line-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-xxxxxx';
const WRITER = ['sh', '-c', `yes ${LINE} | head -c ${LOG_BYTES} > /tmp/log && cat /tmp/log`];

interface Follow {
  mbPerS: number;
  peakRssMb: number;
}

/** Runs `argv` (a logs -f), counts its stdout bytes, samples `rss` meanwhile; MB/s over the bytes received. */
function follow(argv: string[], env: NodeJS.ProcessEnv, rss: () => number): Promise<Follow> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    let peak = rss();
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 50);
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearInterval(timer);
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}: ${err.trim()}`));
      else if (bytes < LOG_BYTES) reject(new Error(`${argv.join(' ')} ended after ${bytes} of ${LOG_BYTES} bytes`));
      else resolve({ mbPerS: bytes / 2 ** 20 / s, peakRssMb: peak });
    });
  });
}

async function measure(runs: number, once: () => Promise<Follow>): Promise<{ mbPerS: number; rss: number }> {
  const all: Follow[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  return { mbPerS: median(all.map((f) => f.mbPerS)), rss: median(all.map((f) => f.peakRssMb)) };
}

export const logsCase: BenchCase = {
  name: 'logs',
  description: '`logs -f` of a container that wrote 200 MB: throughput and peak engine RSS while following',
  async run(runs): Promise<CaseResult[]> {
    runs = Math.min(runs, 3); // 200 MB a run
    const reg = await startBenchRegistry();
    const speed: Record<string, number> = {};
    const rss: Record<string, number> = {};
    try {
      const fd = await startFd();
      try {
        fd.fd(['pull', '-q', reg.busybox]);
        const m = await measure(runs, async () => {
          const id = fd.fd(['run', '-d', '--network', 'none', reg.busybox, ...WRITER]).trim();
          fd.fd(['wait', id]);
          const r = await follow([...fd.cli, 'logs', '-f', id], {}, () => fd.rssMb());
          fd.fd(['rm', '-f', id]);
          return r;
        });
        speed.fd = m.mbPerS;
        rss.fd = m.rss;
      } finally {
        await fd.stop();
      }
      if (dockerdInstalled()) {
        const dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] });
        try {
          const docker = (args: string[]) => spawnSyncChecked(DOCKER_CLI!, args, dockerd.env).trim();
          docker(['pull', '-q', reg.busybox]);
          const m = await measure(runs, async () => {
            const id = docker(['run', '-d', '--network', 'none', reg.busybox, ...WRITER]);
            docker(['wait', id]);
            const r = await follow([DOCKER_CLI!, 'logs', '-f', id], dockerd.env, () => dockerd.rssMb());
            docker(['rm', '-f', id]);
            return r;
          });
          speed.docker = m.mbPerS;
          rss.docker = m.rss;
        } finally {
          await dockerd.stop();
        }
      }
    } finally {
      await reg.stop();
    }
    return [
      { row: 'MB/s', unit: 'MB/s', medians: speed },
      { row: 'peak-rss', unit: 'MB', medians: rss, notes: ['peak RSS while following: fd engine vs dockerd+containerd'] },
    ];
  },
};

function spawnSyncChecked(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}
