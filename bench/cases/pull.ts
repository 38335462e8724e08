// #4 pull speed: a ~100 MB six-layer gzip image from a loopback docker-registry. fd pulls into a fresh root each
// run (nothing cached); dockerd pulls after `docker rmi`; the floor is every blob through `curl | gunzip | tar -x`
// at once, with no digest checks and no fsync: the fastest this machine moves these bytes onto disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, timeCommand, type BenchCase, type CaseResult } from '../harness';
import { pushBigImage, startBenchRegistry } from '../fixtures';
import { DOCKER_CLI, dockerdInstalled, podmanLine, startDockerd } from '../peers/dockerd';
import { startFd } from '../peers/fd';

async function samples(runs: number, fn: () => Promise<number>): Promise<number> {
  await fn(); // warm-up: page cache, registry, first-run JIT
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return median(out);
}

export const pullCase: BenchCase = {
  name: 'pull',
  description: 'pull a ~100 MB 6-layer gzip image from a loopback registry: fd vs dockerd vs parallel curl|gunzip|tar',
  async run(runs): Promise<CaseResult> {
    const reg = await startBenchRegistry();
    const notes: string[] = [];
    const medians: Record<string, number> = {};
    try {
      const { ref, image } = await pushBigImage(reg);
      const mb = image.layers.reduce((n, l) => n + l.size, 0) / 2 ** 20;
      notes.push(`image: ${image.layers.length} layers, ${mb.toFixed(1)} MB compressed`);

      medians.fd = await samples(runs, async () => {
        const fd = await startFd();
        try {
          return await timeCommand(fd.cli[0]!, [...fd.cli.slice(1), 'pull', '-q', ref]);
        } finally {
          await fd.stop();
        }
      });

      if (dockerdInstalled()) {
        const dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] });
        try {
          medians.docker = await samples(runs, async () => {
            await timeCommand(DOCKER_CLI!, ['rmi', '-f', ref], dockerd.env).catch(() => 0);
            return timeCommand(DOCKER_CLI!, ['pull', '-q', ref], dockerd.env);
          });
        } finally {
          await dockerd.stop();
        }
      } else notes.push('docker: dockerd not installed');
      const podman = podmanLine();
      if (podman) notes.push(podman);

      medians.floor = await samples(runs, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-floor-'));
        try {
          const script = image.layers
            .map((l, i) => `mkdir ${dir}/${i} && curl -sf ${reg.registry.url}/v2/bench/big/blobs/${l.digest} | gunzip | tar -x -C ${dir}/${i} &`)
            .join('\n');
          return await timeCommand('sh', ['-c', `set -e\n${script}\nwait`]);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    } finally {
      await reg.stop();
    }
    return { unit: 'ms', medians, notes };
  },
};
