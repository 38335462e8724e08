// Engine start-up and contract round trips: the floor every other case stands on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { interleaved, medianOf, timeCommand, type BenchCase } from '../harness';
import { fdBin } from '../paths';
import { DOCKER_CLI, dockerdInstalled, startDockerd } from '../peers/dockerd';

/** Spawns `fd engine` on a fresh root and resolves with ms until it printed "engine ready". */
function coldStart(): Promise<number> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-'));
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fdBin, '--root', root, 'engine'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('engine ready')) {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill('SIGTERM');
        child.on('exit', () => {
          fs.rmSync(root, { recursive: true, force: true });
          resolve(ms);
        });
      }
    });
    child.on('error', reject);
  });
}

export const engineCases: BenchCase[] = [
  {
    name: 'cli-start',
    description: '`fd --help` (CLI process start: node + loading the bundle) vs `docker --help`; floor: `node -e ""`',
    async run(runs) {
      // Round by round: the floor and fd see the same load (fd/floor is the number that matters here).
      const medians = await interleaved(runs, {
        fd: () => timeCommand(process.execPath, [fdBin, '--help']),
        floor: () => timeCommand(process.execPath, ['-e', '']),
        ...(DOCKER_CLI ? { docker: () => timeCommand(DOCKER_CLI!, ['--help']) } : {}),
      });
      return { unit: 'ms', medians };
    },
  },
  {
    name: 'engine-cold-start',
    description: 'spawn `fd engine` on an empty root until it prints "engine ready"',
    async run(runs) {
      return { unit: 'ms', medians: { fd: await medianOf(runs, coldStart) } };
    },
  },
  {
    name: 'cli-info',
    description: '`fd info` and `fd ps` against a running empty engine (process start + socket round trip) vs docker against dockerd; floor: `node -e ""`',
    async run(runs) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-'));
      const engine = spawn(process.execPath, [fdBin, '--root', root, 'engine'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => engine.stdout.on('data', (d: Buffer) => d.toString().includes('engine ready') && resolve()));
      try {
        const info: Record<string, number> = { fd: await medianOf(runs, () => timeCommand(process.execPath, [fdBin, '--root', root, 'info'])) };
        const ps = await interleaved(runs, {
          fd: () => timeCommand(process.execPath, [fdBin, '--root', root, 'ps']),
          floor: () => timeCommand(process.execPath, ['-e', '']),
        });
        if (dockerdInstalled()) {
          const dockerd = await startDockerd();
          try {
            info.docker = await medianOf(runs, () => timeCommand(DOCKER_CLI!, ['info'], dockerd.env));
            ps.docker = await medianOf(runs, () => timeCommand(DOCKER_CLI!, ['ps'], dockerd.env));
          } finally {
            await dockerd.stop();
          }
        }
        return [
          { unit: 'ms', medians: info },
          { row: 'ps', unit: 'ms', medians: ps },
        ];
      } finally {
        engine.kill('SIGTERM');
        await new Promise((r) => engine.on('exit', r));
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
];
