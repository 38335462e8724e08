// Debian's docker-compose 1.29 (docker-py 5) against the Docker API socket, images from a loopback registry.
// Projects run on compose's default network (proj_default), with a named volume and a published port.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../testing/engine';
import { freePort, type TestRegistry } from '../testing/registry';
import { startImageEngine, type ImageEngine } from '../testing/fixtures';
import { runCompose, runDocker } from './testing';

let fixture: ImageEngine;
let engine: TestEngine;
let registry: TestRegistry;
let dir: string;

const compose = (project: string, ...args: string[]) => runCompose(engine.host.paths.dockerSocket, path.join(dir, project), ['-p', project, ...args]);

/** A project of busybox services: each runs `script`; `extra` adds YAML lines to a service. */
function project(name: string, services: Record<string, string>, extra: Record<string, string> = {}, tail = '') {
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  const image = `${registry.host}/tools/busybox:1.0`;
  const body = Object.entries(services)
    .map(([svc, script]) => `  ${svc}:\n    image: ${image}\n    command: ["sh", "-c", ${JSON.stringify(script)}]\n${extra[svc] ?? ''}`)
    .join('');
  fs.writeFileSync(path.join(dir, name, 'docker-compose.yml'), `version: "3"\nservices:\n${body}${tail}`);
}

beforeAll(async () => {
  fixture = await startImageEngine();
  ({ engine, registry } = fixture);
  dir = path.join(engine.root, 'projects');
});
afterAll(() => fixture?.close());

describe('docker-compose 1.29 against the docker API socket', () => {
  it('up -d on the default network (names resolve, port published, named volume), ps, up-to-date, recreate and down -v', async () => {
    const port = await freePort();
    const db = `trap 'exit 0' TERM; echo db-data > /data/index.html; httpd -p 80 -h /data; echo db up; while :; do sleep 0.1; done`;
    // web finds db by its service name on proj_default (aardvark-dns) and logs what it served.
    const web = `trap 'exit 0' TERM; until wget -qO- http://db/ 2>/dev/null; do sleep 0.2; done; echo web up; while :; do sleep 0.1; done`;
    project('proj', { db, web }, { db: `    volumes: ["data:/data"]\n    ports: ["127.0.0.1:${port}:80"]\n`, web: '    depends_on: [db]\n' }, 'volumes:\n  data: {}\n');
    const up = await compose('proj', 'up', '-d');
    expect(up.code).toBe(0);
    expect(up.stderr).toContain('Creating network "proj_default" with the default driver');
    expect(up.stderr).toContain('Creating volume "proj_data" with default driver');
    expect(up.stderr).toMatch(/Creating proj_db_1 +\.\.\. done/);
    expect(up.stderr).toMatch(/Creating proj_web_1 +\.\.\. done/);

    const ps = await compose('proj', 'ps');
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(new RegExp(`proj_db_1 .* Up +127\\.0\\.0\\.1:${port}->80/tcp`));
    expect(ps.stdout).toMatch(/proj_web_1 .* Up/);

    let logs = await compose('proj', 'logs', '--no-color', 'web');
    for (let i = 0; i < 50 && !logs.stdout.includes('web up'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      logs = await compose('proj', 'logs', '--no-color', 'web');
    }
    expect(logs.stdout).toMatch(/web_1 +\| db-data\n/);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('db-data\n');

    // The image Id and the labels round-trip, so nothing is recreated.
    const again = await compose('proj', 'up', '-d');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('proj_db_1 is up-to-date');
    expect(again.stderr).toContain('proj_web_1 is up-to-date');

    // Recreate: stop, rename the old container aside, create the new one, remove the old one.
    const recreate = await compose('proj', 'up', '-d', '--force-recreate', 'db');
    expect(recreate.code).toBe(0);
    expect(recreate.stderr).toMatch(/Recreating proj_db_1 +\.\.\. done/);
    const names = await runDocker(engine.host.paths.dockerSocket, ['ps', '-a', '--format', '{{.Names}}']);
    expect(names.stdout.split('\n').filter(Boolean).sort()).toEqual(['proj_db_1', 'proj_web_1']);

    const down = await compose('proj', 'down', '-v');
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/Removing proj_db_1 +\.\.\. done/);
    expect(down.stderr).toContain('Removing network proj_default');
    expect(down.stderr).toContain('Removing volume proj_data');
    const left = await runDocker(engine.host.paths.dockerSocket, ['ps', '-aq']);
    expect(left.stdout).toBe('');
    expect((await runDocker(engine.host.paths.dockerSocket, ['volume', 'ls', '-q'])).stdout).toBe('');
  });

  it('attached up prints the output of every service and their exit codes', async () => {
    project('once', { job: 'echo hello from job; exit 3' });
    const up = await compose('once', 'up', '--no-color');
    expect(up.stdout).toMatch(/job_1 +\| hello from job/);
    // compose 1.29 itself drops this line if the die event beats the end of the attach stream by its 0.1 s
    // queue timeout (seen once under a load of 15): the stderr says which way it went.
    expect(up.stdout, `stderr: ${up.stderr}`).toContain('once_job_1 exited with code 3');
    expect((await compose('once', 'down')).code).toBe(0);
  });
});
