// `ps -a` latency with 200 created containers, and the engine's idle RSS with 0 and with 200 containers,
// against dockerd (+ the containerd it runs). The 200 are created through each engine's own API (our contract
// socket, dockerd's HTTP socket), not 200 CLI processes: creating them is set-up, not the measurement.
import http from 'node:http';
import { medianOf, timeCommand, type BenchCase, type CaseResult } from '../harness';
import { startBenchRegistry } from '../fixtures';
import { DOCKER_CLI, dockerdInstalled, startDockerd } from '../peers/dockerd';
import { startFd } from '../peers/fd';
import { connectUnix } from '../../engine/transport/unix';

const COUNT = 200;
const settle = () => new Promise((r) => setTimeout(r, 2000));

function dockerCreate(socket: string, image: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ Image: image, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
    const req = http.request({ socketPath: socket, path: '/v1.41/containers/create', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`docker create: HTTP ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inBatches(n: number, width: number, fn: (i: number) => Promise<unknown>) {
  for (let done = 0; done < n; done += width) await Promise.all(Array.from({ length: Math.min(width, n - done) }, (_, j) => fn(done + j)));
}

export const psCase: BenchCase = {
  name: 'ps',
  description: `\`ps -a\` latency with ${COUNT} created containers; idle engine RSS with 0 and ${COUNT} containers`,
  async run(runs): Promise<CaseResult[]> {
    const reg = await startBenchRegistry();
    const latency: Record<string, number> = {};
    const idle0: Record<string, number> = {};
    const idle200: Record<string, number> = {};
    try {
      const fd = await startFd();
      try {
        fd.fd(['pull', '-q', reg.busybox]);
        await settle();
        idle0.fd = fd.rssMb();
        const client = await connectUnix(`${fd.root}/engine.sock`);
        try {
          // Named: generated names can collide within 200 (the engine then refuses instead of picking another).
          await inBatches(COUNT, 8, (i) => client.call('containers.create', { name: `fdb-${i}`, image: reg.busybox, cmd: ['true'], networkMode: 'none' }));
        } finally {
          client.close();
        }
        latency.fd = await medianOf(runs, () => timeCommand(fd.cli[0]!, [...fd.cli.slice(1), 'ps', '-a']));
        await settle();
        idle200.fd = fd.rssMb();
      } finally {
        await fd.stop();
      }
      if (dockerdInstalled()) {
        const dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] });
        try {
          await timeCommand(DOCKER_CLI!, ['pull', '-q', reg.busybox], dockerd.env);
          await settle();
          idle0.docker = dockerd.rssMb();
          await inBatches(COUNT, 8, () => dockerCreate(dockerd.socket, reg.busybox));
          latency.docker = await medianOf(runs, () => timeCommand(DOCKER_CLI!, ['ps', '-a'], dockerd.env));
          await settle();
          idle200.docker = dockerd.rssMb();
        } finally {
          await dockerd.stop();
        }
      }
    } finally {
      await reg.stop();
    }
    return [
      { row: 'latency', unit: 'ms', medians: latency },
      { row: 'rss-0', unit: 'MB', medians: idle0, notes: ['idle RSS: fd engine vs dockerd+containerd'] },
      { row: `rss-${COUNT}`, unit: 'MB', medians: idle200 },
    ];
  },
};
