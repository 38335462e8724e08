// `compose up -d` of a five-service project (busybox sleepers, no networks: the dockerd peer has no bridge),
// then `down` untimed. fd's compose against docker-compose 1.29 on dockerd. Skipped, with a message, while
// `fd compose up` is not available.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median, timeCommand, type BenchCase, type CaseResult } from '../harness';
import { startBenchRegistry } from '../fixtures';
import { dockerdInstalled, startDockerd } from '../peers/dockerd';
import { startFd } from '../peers/fd';

const DOCKER_COMPOSE = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => fs.existsSync(p));

function projectFile(dir: string, image: string): string {
  const services = Array.from({ length: 5 }, (_, i) => `  s${i}:\n    image: ${image}\n    command: ["sleep", "3600"]\n    network_mode: none\n`).join('');
  const file = path.join(dir, 'compose.yaml');
  fs.writeFileSync(file, `version: "3.8"\nservices:\n${services}`);
  return file;
}

async function upDown(runs: number, up: () => Promise<number>, down: () => void): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const ms = await up();
    down();
    if (i > 0) samples.push(ms); // the first is the warm-up
  }
  return median(samples);
}

export const composeCase: BenchCase = {
  name: 'compose',
  description: '`compose up -d` of a 5-service project: fd compose vs docker-compose 1.29 on dockerd',
  async run(runs): Promise<CaseResult> {
    const reg = await startBenchRegistry();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdb-compose-'));
    const medians: Record<string, number> = {};
    const notes: string[] = [];
    try {
      const file = projectFile(dir, reg.busybox);
      const fd = await startFd();
      try {
        fd.fd(['pull', '-q', reg.busybox]);
        const probe = spawnSync(fd.cli[0]!, [...fd.cli.slice(1), 'compose', '-f', file, '-p', 'fdb', 'up', '-d'], { encoding: 'utf8' });
        if (probe.status !== 0) {
          notes.push(`fd compose up: skipped (${(probe.stderr.trim().split('\n')[0] ?? '').slice(0, 120)})`);
        } else {
          fd.fd(['compose', '-f', file, '-p', 'fdb', 'down']);
          medians.fd = await upDown(
            runs,
            () => timeCommand(fd.cli[0]!, [...fd.cli.slice(1), 'compose', '-f', file, '-p', 'fdb', 'up', '-d']),
            () => fd.fd(['compose', '-f', file, '-p', 'fdb', 'down', '-t', '0']),
          );
        }
      } finally {
        await fd.stop();
      }
      if (medians.fd !== undefined && dockerdInstalled() && DOCKER_COMPOSE) {
        const dockerd = await startDockerd({ insecureRegistries: [reg.registry.host] });
        try {
          const env = { ...process.env, ...dockerd.env };
          spawnSync(DOCKER_COMPOSE, ['-f', file, '-p', 'fdb', 'pull', '-q'], { env });
          medians.docker = await upDown(
            runs,
            () => timeCommand(DOCKER_COMPOSE, ['-f', file, '-p', 'fdb', 'up', '-d'], dockerd.env),
            () => void spawnSync(DOCKER_COMPOSE, ['-f', file, '-p', 'fdb', 'down', '-t', '0'], { env }),
          );
        } finally {
          await dockerd.stop();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await reg.stop();
    }
    return { unit: 'ms', medians, notes };
  },
};
