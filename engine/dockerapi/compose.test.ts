// Debian's docker-compose 1.29 (docker-py 5) against the Docker API socket, images from a loopback registry.
// Services use `network_mode: none` for now: the engine cannot yet attach a created container to a network,
// which compose's default network needs (see the dockerapi report).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { busyboxImage, pushImage } from '../testing/image-builder';
import { runDocker, type DockerResult } from './testing';

let engine: TestEngine;
let registry: TestRegistry;
let dir: string;

/** Runs docker-compose asynchronously: the engine lives in this process and must keep serving meanwhile. */
function compose(project: string, ...args: string[]): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker-compose', ['-p', project, ...args], {
      cwd: path.join(dir, project),
      env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${engine.host.paths.dockerSocket}`, COMPOSE_INTERACTIVE_NO_CLI: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker-compose ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function project(name: string, services: Record<string, string>) {
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  const image = `${registry.host}/tools/busybox:1.0`;
  const body = Object.entries(services)
    .map(([svc, script]) => `  ${svc}:\n    image: ${image}\n    network_mode: none\n    command: ["sh", "-c", ${JSON.stringify(script)}]\n`)
    .join('');
  fs.writeFileSync(path.join(dir, name, 'docker-compose.yml'), `version: "3"\nservices:\n${body}`);
}

// PID 1 ignores SIGTERM unless it traps it; a trap keeps `stop` from waiting out its 10 s.
const serve = (word: string) => `trap 'exit 0' TERM; echo ${word} up; while :; do sleep 0.1; done`;

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'tools/busybox', '1.0', await busyboxImage());
  engine = await startTestEngine();
  dir = path.join(engine.root, 'projects');
});
afterAll(async () => {
  if (engine) {
    for (const c of await engine.client.call('containers.list', { all: true }).catch(() => [])) {
      await engine.client.call('containers.remove', { id: c.id, force: true }).catch(() => undefined);
    }
    await engine.close();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
  await registry?.stop();
});

describe('docker-compose 1.29 against the docker API socket', () => {
  it('up -d, ps, logs, a second up -d (up-to-date), restart and down -v on a two-service project', async () => {
    project('proj', { db: serve('db'), web: serve('web') });
    const up = await compose('proj', 'up', '-d');
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/Creating proj_db_1 +\.\.\. done/);
    expect(up.stderr).toMatch(/Creating proj_web_1 +\.\.\. done/);

    const ps = await compose('proj', 'ps');
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/proj_db_1 .* Up/);
    expect(ps.stdout).toMatch(/proj_web_1 .* Up/);

    const logs = await compose('proj', 'logs', '--no-color');
    expect(logs.stdout).toMatch(/db_1 +\| db up/);
    expect(logs.stdout).toMatch(/web_1 +\| web up/);

    // The image Id and the labels round-trip, so nothing is recreated.
    const again = await compose('proj', 'up', '-d');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('proj_db_1 is up-to-date');
    expect(again.stderr).toContain('proj_web_1 is up-to-date');

    const restart = await compose('proj', 'restart');
    expect(restart.code).toBe(0);
    expect(restart.stderr).toMatch(/Restarting proj_web_1 +\.\.\. done/);

    const down = await compose('proj', 'down', '-v');
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/Removing proj_db_1 +\.\.\. done/);
    const left = await runDocker(engine.host.paths.dockerSocket, ['ps', '-aq']);
    expect(left.stdout).toBe('');
  });

  it('attached up prints the output of every service and their exit codes', async () => {
    project('once', { job: 'echo hello from job; exit 3' });
    const up = await compose('once', 'up', '--no-color');
    expect(up.stdout).toMatch(/job_1 +\| hello from job/);
    expect(up.stdout).toContain('once_job_1 exited with code 3');
    expect((await compose('once', 'down')).code).toBe(0);
  });
});
