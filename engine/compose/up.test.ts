// compose up/down against a real engine: busybox from a loopback registry, runc + conmon containers, real
// networks and volumes. One project walks through up → up again → edit one service → down -v.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ComposeProgress } from '../api/compose';
import type { EngineEvent } from '../api/events';
import { fdInProcess } from '../testing/cli';
import { fdBin, startTestEngine, type TestEngine } from '../testing/engine';
import { closeTestEngine } from '../testing/fixtures';
import { startRegistry, type TestRegistry } from '../testing/registry';
import { buildImage, busyboxImage, pushImage } from '../testing/image-builder';
import { writeTree } from './testing';

let engine: TestEngine;
let reg: TestRegistry;
let image: string;
/** busybox whose image config carries a failing HEALTHCHECK (durations in nanoseconds, as docker writes them). */
let sickImage: string;
let dir: string;

beforeAll(async () => {
  reg = await startRegistry();
  const bb = await busyboxImage();
  await pushImage(reg, 'library/busybox', 'latest', bb);
  image = `${reg.host}/library/busybox:latest`;
  const sick = await buildImage({
    layers: bb.layers,
    config: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'], Healthcheck: { Test: ['CMD-SHELL', 'echo no connection >&2; exit 1'], Interval: 200e6, Retries: 2 } },
  });
  await pushImage(reg, 'library/sick', 'latest', sick);
  sickImage = `${reg.host}/library/sick:latest`;
  engine = await startTestEngine();
  dir = writeTree({});
}, 60_000);

afterAll(async () => {
  try {
    await closeTestEngine(engine, { networks: true });
  } finally {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A long-running service that exits at once on SIGTERM (sh as PID 1 ignores it otherwise). */
const loop = (text: string) => `["sh", "-c", "trap 'exit 0' TERM; echo ${text}; while true; do sleep 0.2; done"]`;

function project(webEnv: string) {
  return [
    'services:',
    '  web:',
    `    image: ${image}`,
    `    command: ${loop('web up')}`,
    '    depends_on: [api]',
    `    environment: {ROLE: ${webEnv}}`,
    '  api:',
    `    image: ${image}`,
    `    command: ${loop('api up')}`,
    '    depends_on:',
    '      db: {condition: service_healthy}',
    '    volumes: [data:/data]',
    '  db:',
    `    image: ${image}`,
    `    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; while true; do sleep 0.2; done"]`,
    '    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 300ms, retries: 20}',
    'volumes:',
    '  data: {}',
    '',
  ].join('\n');
}

async function up(extra: Record<string, unknown> = {}, files = [{ path: 'compose.yaml' }]): Promise<ComposeProgress[]> {
  const out: ComposeProgress[] = [];
  for await (const item of engine.client.stream('compose.up', { workingDir: dir, files, projectName: 'shop', ...extra })) out.push(item);
  return out;
}

async function down(volumes: boolean): Promise<ComposeProgress[]> {
  const out: ComposeProgress[] = [];
  for await (const item of engine.client.stream('compose.down', { workingDir: dir, projectName: 'shop', volumes })) out.push(item);
  return out;
}

const eventsSince = (seq: number): EngineEvent[] =>
  engine.host.engine.ctx.events
    .list({ limit: 5000 })
    .filter((e) => e.seq > seq)
    .reverse();
const containerActions = (events: EngineEvent[], action: string) => events.filter((e) => e.type === 'container' && e.action === action).map((e) => e.actor.attributes.name);

const fd = (...args: string[]) => fdInProcess(engine.root, args, { cwd: dir });

describe('compose up / down', () => {
  test('up starts db → api → web in dependency order (api only once db is healthy), a second up changes nothing, an edit recreates only that service, down -v removes everything', async () => {
    fs.writeFileSync(path.join(dir, 'compose.yaml'), project('one'));
    let seq = engine.host.engine.ctx.events.lastSeq();
    const items = await up();
    expect(items.filter((i) => i.type === 'issues')).toEqual([]);
    let events = eventsSince(seq);
    expect(containerActions(events, 'start')).toEqual(['shop-db-1', 'shop-api-1', 'shop-web-1']);
    const healthy = events.findIndex((e) => e.action === 'health_status: healthy' && e.actor.attributes.name === 'shop-db-1');
    const apiStart = events.findIndex((e) => e.action === 'start' && e.actor.attributes.name === 'shop-api-1');
    expect(healthy).toBeGreaterThan(-1);
    expect(healthy).toBeLessThan(apiStart);
    expect(items).toContainEqual({ type: 'step', kind: 'container', resource: 'shop-api-1', service: 'api', status: 'waiting', message: 'Waiting for db (service_healthy)' });
    expect(items).toContainEqual({ type: 'step', kind: 'network', resource: 'shop_default', service: null, status: 'done', message: 'Created' });

    const web = await engine.client.call('containers.inspect', { id: 'shop-web-1' });
    expect(web.config.labels).toMatchObject({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1', 'com.docker.compose.oneoff': 'False' });
    expect(web.config.networkMode).toBe('shop_default');
    expect(web.config.networks.shop_default!.aliases).toContain('web');
    const net = await engine.client.call('networks.inspect', { id: 'shop_default' });
    expect(net.labels).toMatchObject({ 'com.docker.compose.project': 'shop', 'com.docker.compose.network': 'default' });
    const api = await engine.client.call('containers.inspect', { id: 'shop-api-1' });
    expect(api.config.mounts).toContainEqual(expect.objectContaining({ type: 'volume', source: 'shop_data', target: '/data' }));

    // fd compose ps shows the three with their health.
    const ps = await fd('compose', '-p', 'shop', 'ps');
    expect(ps.code).toBe(0);
    expect(ps.out).toMatch(/shop-db-1 .*db .*Up .*\(healthy\)/);
    expect(ps.out).toMatch(/shop-web-1/);

    // Logs come prefixed with the container name; stop goes dependents first, start dependencies first.
    const logs = await fd('compose', '-p', 'shop', 'logs', 'web', 'db');
    expect(logs.code).toBe(0);
    expect(logs.out.split('\n')).toContain('shop-web-1 | web up');
    expect(logs.out).not.toContain('api up');
    seq = engine.host.engine.ctx.events.lastSeq();
    expect((await fd('compose', '-p', 'shop', 'stop')).code).toBe(0);
    expect(containerActions(eventsSince(seq), 'die')).toEqual(['shop-web-1', 'shop-api-1', 'shop-db-1']);
    seq = engine.host.engine.ctx.events.lastSeq();
    const started = await fd('compose', '-p', 'shop', 'start');
    expect(started.out).toContain('Container shop-db-1  Started');
    expect(containerActions(eventsSince(seq), 'start')).toEqual(['shop-db-1', 'shop-api-1', 'shop-web-1']);

    // Idempotent: nothing is created, started or removed.
    seq = engine.host.engine.ctx.events.lastSeq();
    const again = await up();
    events = eventsSince(seq);
    for (const action of ['create', 'start', 'destroy', 'kill']) expect(containerActions(events, action)).toEqual([]);
    expect(again.filter((i) => i.type === 'step' && i.kind === 'container').map((i) => i.type === 'step' && i.message)).toEqual(['Running', 'Running', 'Running']);

    // An edit to web's environment recreates web only.
    fs.writeFileSync(path.join(dir, 'compose.yaml'), project('two'));
    seq = engine.host.engine.ctx.events.lastSeq();
    const edited = await up({ wait: true });
    expect(edited).toContainEqual({ type: 'step', kind: 'container', resource: 'shop-db-1', service: 'db', status: 'done', message: 'Healthy' });
    events = eventsSince(seq);
    expect(containerActions(events, 'destroy')).toEqual(['shop-web-1']);
    expect(containerActions(events, 'create')).toEqual(['shop-web-1']);
    expect((await engine.client.call('containers.inspect', { id: 'shop-web-1' })).config.env).toContain('ROLE=two');

    // down -v: containers, network and volume gone.
    const gone = await down(true);
    expect(gone.filter((i) => i.type === 'step' && i.status === 'error')).toEqual([]);
    expect(await engine.client.call('containers.list', { all: true, filters: { label: ['com.docker.compose.project=shop'] } })).toEqual([]);
    expect((await engine.client.call('networks.list', {})).map((n) => n.name)).not.toContain('shop_default');
    const volumes = (await (engine.client.call as (m: string, i: unknown) => Promise<{ name: string }[]>)('volumes.list', {})).map((v) => v.name);
    expect(volumes).not.toContain('shop_data');
  }, 120_000);

  test('a dependency cycle and a bad port are refused before anything is created', async () => {
    const files = {
      'cycle.yaml': `services:\n  a: {image: ${image}, depends_on: [b]}\n  b: {image: ${image}, depends_on: [a]}\n`,
      'port.yaml': `services:\n  a: {image: ${image}, ports: ["99999:80"]}\n  b: {image: ${image}}\n`,
    };
    writeTree(files, dir);
    for (const file of Object.keys(files)) {
      const seq = engine.host.engine.ctx.events.lastSeq();
      const items = await up({}, [{ path: file }]);
      const issues = items.find((i) => i.type === 'issues');
      expect(issues && issues.type === 'issues' && issues.errors[0]!.message).toMatch(file === 'cycle.yaml' ? /dependency cycle: a -> b -> a/ : /published port "99999"/);
      expect(eventsSince(seq)).toEqual([]);
    }
    const cli = await fd('compose', '-f', 'cycle.yaml', '-p', 'shop', 'up', '-d');
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/cycle\.yaml:\d+:\d+ services\.a\.depends_on: dependency cycle/);
  });

  test('attached up streams each container\'s output with its name and returns once they exit', async () => {
    writeTree(
      {
        'once.yaml': [
          'services:',
          '  hello:',
          `    image: ${image}`,
          '    command: ["sh", "-c", "echo hello from once"]',
          '    depends_on: {migrate: {condition: service_completed_successfully}}',
          '  migrate:',
          `    image: ${image}`,
          '    command: ["sh", "-c", "sleep 0.5; echo migrated"]',
          '',
        ].join('\n'),
      },
      dir,
    );
    const seq = engine.host.engine.ctx.events.lastSeq();
    const r = await fd('compose', '-f', 'once.yaml', '-p', 'once', 'up');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Container once-hello-1  Started');
    expect(r.out.split('\n')).toContain('once-hello-1   | hello from once');
    // hello starts only after migrate finished with 0.
    const order = eventsSince(seq).filter((e) => e.action === 'die' || e.action === 'start').map((e) => `${e.action} ${e.actor.attributes.name}`);
    expect(order.slice(0, 3)).toEqual(['start once-migrate-1', 'die once-migrate-1', 'start once-hello-1']);
    expect((await fd('compose', '-f', 'once.yaml', '-p', 'once', 'down')).code).toBe(0);
  });

  test('Ctrl-C on an attached up stops the project and exits 130', async () => {
    writeTree({ 'ctrlc.yaml': `services:\n  svc:\n    image: ${image}\n    command: ${loop('ready for ctrl-c')}\n` }, dir);
    const child = spawn(process.execPath, [fdBin, '--root', engine.root, 'compose', '-f', 'ctrlc.yaml', '-p', 'ctrlc', 'up'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('ctrlc-svc-1 | ready for ctrl-c')) {
      if (Date.now() > deadline) throw new Error(`no output from the attached up:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain('Gracefully stopping...');
    expect((await engine.client.call('containers.inspect', { id: 'ctrlc-svc-1' })).state.status).toBe('exited');
    expect((await fd('compose', '-f', 'ctrlc.yaml', '-p', 'ctrlc', 'down')).code).toBe(0);
  }, 60_000);

  test("a dependency that turns unhealthy (by its image's HEALTHCHECK) fails up with its last health output, and down cleans up what was made", async () => {
    writeTree(
      {
        'sick.yaml': [
          'services:',
          '  app:',
          `    image: ${image}`,
          `    command: ${loop('app')}`,
          '    depends_on: {db: {condition: service_healthy}}',
          '  db:',
          `    image: ${sickImage}`,
          `    command: ${loop('db')}`,
          '',
        ].join('\n'),
      },
      dir,
    );
    await expect(up({ projectName: 'sick' }, [{ path: 'sick.yaml' }])).rejects.toThrow(/db.*unhealthy.*no connection/);
    const left = await engine.client.call('containers.list', { all: true, filters: { label: ['com.docker.compose.project=sick'] } });
    expect(left.map((c) => c.name).sort()).toEqual(['sick-db-1']);
    const out: ComposeProgress[] = [];
    for await (const item of engine.client.stream('compose.down', { workingDir: dir, files: [{ path: 'sick.yaml' }], projectName: 'sick' })) out.push(item);
    expect(await engine.client.call('containers.list', { all: true, filters: { label: ['com.docker.compose.project=sick'] } })).toEqual([]);
    expect((await engine.client.call('networks.list', {})).map((n) => n.name)).not.toContain('sick_default');
  }, 60_000);
});
