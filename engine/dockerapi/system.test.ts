// The Docker API socket against the real docker CLI 28: version negotiation, info, events, errors, and a
// client that leaves mid-stream releasing what it held.
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, spawnEngine, startTestEngine, tempRoot, type TestEngine } from '../testing/engine';
import { eventually, request, runDocker } from './testing';

let engine: TestEngine;
let socket: string;
/** The event log's live-subscriber count: the real resource a `/events` request holds. */
const eventWaiters = () => (engine.host.engine.ctx.events['waiters'] as Set<unknown>).size;

beforeAll(async () => {
  engine = await startTestEngine();
  socket = engine.host.paths.dockerSocket;
});
afterAll(async () => {
  await engine?.close();
  if (engine) fs.rmSync(engine.root, { recursive: true, force: true });
});

describe('docker API socket: system endpoints with the docker CLI', () => {
  it('listens at ROOT/docker.sock, owner and group only, and fd info names DOCKER_HOST', async () => {
    expect(socket).toBe(`${engine.root}/docker.sock`);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o660);
    const info = await engine.client.call('system.info', {});
    expect(info.dockerSocket).toBe(socket);
    expect(info.dockerHost).toBe(`unix://${socket}`);
  });

  it('docker version negotiates API 1.44 and shows the server', async () => {
    const r = await runDocker(socket, ['version']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('API version:       1.44 (downgraded from 1.50)');
    expect(r.stdout).toMatch(/Server: Flying Dutchman Engine\n Engine:\n {2}Version:\s+0\.1\.0\n {2}API version:\s+1\.44 \(minimum version 1\.24\)/);
    const json = await runDocker(socket, ['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
    expect(json.stdout.trim()).toBe('1.44 linux');
  });

  it('docker info shows counts, root and swarm inactive', async () => {
    const r = await runDocker(socket, ['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(' Containers: 0\n  Running: 0\n  Paused: 0\n  Stopped: 0\n');
    expect(r.stdout).toContain(` Docker Root Dir: ${engine.root}\n`);
    expect(r.stdout).toContain(' Swarm: inactive\n');
    const f = await runDocker(socket, ['info', '--format', '{{.ServerVersion}} {{.OSType}} {{.Swarm.LocalNodeState}}']);
    expect(f.stdout.trim()).toBe('0.1.0 linux inactive');
  });

  it('docker events --since/--until prints the events the engine appended, filtered like docker', async () => {
    const log = engine.host.engine.ctx.events;
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const id = 'a'.repeat(64);
    log.append({ type: 'container', action: 'create', actor: { id, attributes: { image: 'busybox', name: 'web', 'com.example.tier': 'front' } } });
    log.append({ type: 'image', action: 'pull', actor: { id: 'busybox:latest', attributes: { name: 'busybox' } } });
    log.append({ type: 'compose', action: 'up', actor: { id: 'proj', attributes: {} } });
    const until = Math.ceil(Date.now() / 1000) + 1;
    const all = await runDocker(socket, ['events', '--since', String(t0), '--until', String(until)]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines.some((l) => / daemon start engine \(pid=\d+\)$/.test(l))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z container create ${id} \\(com\\.example\\.tier=front, image=busybox, name=web\\)$`)));
    expect(lines).toContainEqual(expect.stringMatching(/ image pull busybox:latest \(name=busybox\)$/));
    // compose events have no Docker type: never shown to docker clients.
    expect(all.stdout).not.toContain(' up proj');

    const byType = await runDocker(socket, ['events', '--since', String(t0), '--until', String(until), '--filter', 'type=container']);
    expect(byType.stdout.trim().split('\n')).toEqual([expect.stringContaining(`container create ${id}`)]);
    const byLabel = await runDocker(socket, ['events', '--since', String(t0), '--until', String(until), '--filter', 'label=com.example.tier=back']);
    expect(byLabel.stdout).toBe('');
    const byName = await runDocker(socket, ['events', '--since', String(t0), '--until', String(until), '--filter', 'container=web', '--format', '{{.Status}} {{.ID}} {{.From}}']);
    expect(byName.stdout).toBe(`create ${id} busybox\n`);
  });

  it('/events carries the legacy fields and an exact timeNano, and takes docker-py list filters', async () => {
    const log = engine.host.engine.ctx.events;
    const since = Date.now();
    const appended = log.append({ type: 'container', action: 'die', actor: { id: 'b'.repeat(64), attributes: { image: 'alpine', name: 'job', exitCode: '3' } } });
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['die'] }));
    const r = await request(socket, 'GET', `/v1.41/events?since=${Math.floor(since / 1000)}.000000000&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    const lines = r.body.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`"timeNano":${BigInt(appended.time) * 1_000_000n}}`);
    expect(JSON.parse(lines[0]!)).toEqual({
      status: 'die',
      id: 'b'.repeat(64),
      from: 'alpine',
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'b'.repeat(64), Attributes: { image: 'alpine', name: 'job', exitCode: '3' } },
      scope: 'local',
      time: Math.floor(appended.time / 1000),
      timeNano: expect.any(Number),
    });
    const bad = await request(socket, 'GET', `/events?filters=${encodeURIComponent('{"colour":["red"]}')}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ message: "invalid filter 'colour'" });
  });

  it('a client that disconnects mid-/events releases its subscription', async () => {
    expect(eventWaiters()).toBe(0);
    const received: string[] = [];
    const req = http.request({ socketPath: socket, method: 'GET', path: '/v1.44/events' });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    // Headers arrive before any event exists (moby flushes them at once).
    expect(res.statusCode).toBe(200);
    res.on('data', (c: Buffer) => received.push(c.toString()));
    res.on('error', () => undefined);
    await eventually(() => eventWaiters() === 1, 5000, 'the stream to wait on the event log');
    engine.host.engine.ctx.events.append({ type: 'network', action: 'create', actor: { id: 'n1', attributes: { name: 'net1' } } });
    await eventually(() => received.join('').includes('"Action":"create"'), 5000, 'the live event');
    expect(JSON.parse(received.join('').trim())).toMatchObject({ Type: 'network', Actor: { ID: 'n1' } });
    expect(received.join('')).not.toContain('"status"');
    req.destroy();
    await eventually(() => eventWaiters() === 0 && engine.host.docker.active() === 0, 5000, 'the subscription to be released');
  });

  it('answers _ping with the headers the CLI reads, on HEAD and GET', async () => {
    const head = await request(socket, 'HEAD', '/_ping');
    expect(head.status).toBe(200);
    expect(head.headers).toMatchObject({ 'api-version': '1.44', ostype: 'linux', swarm: 'inactive', 'docker-experimental': 'false', 'content-length': '0' });
    const get = await request(socket, 'GET', '/v1.44/_ping');
    expect(get.body).toBe('OK');
  });

  it('unknown endpoints are a JSON 404; versions outside 1.24..1.44 are refused', async () => {
    for (const p of ['/nope', '/v1.44/containers/x/frobnicate', '/v1.44/volumes/x/y/z']) {
      const r = await request(socket, 'GET', p);
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toEqual({ message: 'page not found' });
    }
    const tooNew = await request(socket, 'GET', '/v1.99/version');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body).message).toBe('client version 1.99 is too new. Maximum supported API version is 1.44');
    const tooOld = await request(socket, 'GET', '/v1.12/version');
    expect(tooOld.status).toBe(400);
    const ok = await request(socket, 'GET', '/version');
    expect(JSON.parse(ok.body)).toMatchObject({ ApiVersion: '1.44', MinAPIVersion: '1.24' });
  });

  it('fd engine --docker-socket PATH moves the socket, and fd info prints the DOCKER_HOST line', async () => {
    const root = tempRoot('fd-dockerapi-sock-');
    const sock = `${root}/elsewhere/d.sock`;
    fs.mkdirSync(`${root}/elsewhere`);
    const child = await spawnEngine(root, ['--docker-socket', sock]);
    try {
      expect(fs.existsSync(`${root}/docker.sock`)).toBe(false);
      const v = await runDocker(sock, ['version', '--format', '{{.Server.APIVersion}}']);
      expect(v.stdout.trim()).toBe('1.44');
      const info = await runFd(['--root', root, 'info']);
      expect(info.stdout).toContain(`Docker socket:    ${sock}\n`);
      expect(info.stdout).toContain(`Use with docker:  export DOCKER_HOST=unix://${sock}\n`);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(fs.existsSync(sock)).toBe(false);
  });
});
