// Container endpoints against the real docker CLI 28. Containers come from a busybox rootfs created through
// the contract (the Docker API has no rootfs option); everything after creation goes through `docker`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, type BusyboxRootfs } from '../testing/fixtures';
import { spawn } from 'node:child_process';
import { DOCKER_BIN, eventually, request, runDocker, runDockerTty } from './testing';
import { decodeFrames } from '../logs/framing';

let engine: TestEngine;
let box: BusyboxRootfs;
let socket: string;
let rootfs: string;
const docker = (...args: string[]) => runDocker(socket, args);

async function create(name: string, cmd: string[], extra: Record<string, unknown> = {}) {
  const { id } = await engine.client.call('containers.create', { name, rootfs, cmd, ...extra });
  return id;
}

beforeAll(async () => {
  engine = await startTestEngine();
  socket = engine.host.paths.dockerSocket;
  box = busyboxRootfs('fd-dockerapi-rootfs-');
  rootfs = box.rootfs;
});
afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

describe('docker API socket: containers with the docker CLI', () => {
  it('errors for an unknown container read as docker prints them', async () => {
    const r = await docker('stop', 'nosuch');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error response from daemon: No such container: nosuch');
    const raw = await request(socket, 'GET', '/v1.44/containers/nosuch/json');
    expect(raw.status).toBe(404);
    expect(raw.headers['content-type']).toBe('application/json');
    expect(JSON.parse(raw.body)).toEqual({ message: 'No such container: nosuch' });
    // docker rm -f ignores a missing container (404 → rc 0), as with dockerd.
    expect((await docker('rm', '-f', 'nosuch')).code).toBe(0);
  });

  it('malformed and oversized JSON bodies are 400 and 413 with a JSON message', async () => {
    const bad = await request(socket, 'POST', '/v1.44/containers/create', '{"Image": "busybox",', { 'Content-Type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/json');
    expect(JSON.parse(bad.body).message).toMatch(/^invalid JSON: /);
    const huge = await request(socket, 'POST', '/v1.44/containers/create', Buffer.alloc(5 * 1024 * 1024, 0x20), { 'Content-Type': 'application/json' });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).message).toContain('exceeds the limit');
  });

  it('start, ps, logs, inspect, stop and rm work on a container', async () => {
    const id = await create('talker', ['sh', '-c', 'echo out-line; echo err-line >&2; exec sleep 300'], { labels: { tier: 'web' } });
    expect((await docker('start', 'talker')).stdout.trim()).toBe('talker');
    // Starting a running container is a 304, which docker treats as success.
    expect((await docker('start', 'talker')).code).toBe(0);

    const ps = await docker('ps', '--format', '{{.ID}} {{.Names}} {{.State}} {{.Labels}}');
    expect(ps.stdout.trim()).toBe(`${id.slice(0, 12)} talker running tier=web`);
    const filtered = await docker('ps', '-a', '--filter', 'label=tier=db', '--format', '{{.Names}}');
    expect(filtered.stdout).toBe('');

    const inspect = JSON.parse((await docker('inspect', 'talker')).stdout) as { HostConfig: { LogConfig: { Type: string } } }[];
    expect(inspect[0]).toMatchObject({ Id: id, Name: '/talker', State: { Status: 'running', Running: true }, Config: { Labels: { tier: 'web' }, Tty: false } });
    expect(inspect[0]!.HostConfig.LogConfig.Type).toBe('json-file');

    let logs = await docker('logs', 'talker');
    for (let i = 0; i < 50 && !logs.stderr.includes('err-line'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = await docker('logs', 'talker');
    }
    expect(logs.stdout).toBe('out-line\n');
    expect(logs.stderr).toBe('err-line\n');
    const stamped = await docker('logs', '--timestamps', '--tail', '1', 'talker');
    expect(stamped.stdout + stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err)-line\n$/);

    // Removing a running container without force is a 409 with docker's message.
    const busy = await docker('rm', 'talker');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('Error response from daemon:');
    expect((await docker('stop', '-t', '1', 'talker')).code).toBe(0);
    const exited = await docker('ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}} {{.Status}}');
    expect(exited.stdout).toMatch(/^talker Exited \(137\)/);
    expect((await docker('rm', 'talker')).code).toBe(0);
    expect((await docker('ps', '-a', '-q')).stdout).toBe('');
  });

  it('docker wait returns the exit code; logs of a finished container come framed by stream', async () => {
    await create('job', ['sh', '-c', 'echo done; exit 3']);
    const started = await docker('start', 'job');
    expect(started.code).toBe(0);
    const wait = await docker('wait', 'job');
    expect(wait.stdout.trim()).toBe('3');
    const raw = await request(socket, 'GET', '/v1.44/containers/job/logs?stdout=1&stderr=1');
    expect(raw.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    const frames = decodeFrames(Buffer.from(raw.body, 'latin1'));
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([[1, 'done\n']]);
    expect((await docker('rm', 'job')).code).toBe(0);
  });

  it('docker exec runs in a container and returns its exit code, with and without a tty', async () => {
    await create('box', ['sleep', '300']);
    await docker('start', 'box');
    const r = await docker('exec', 'box', 'sh', '-c', 'echo from-exec; echo to-err >&2; exit 4');
    expect(r.stdout).toBe('from-exec\n');
    expect(r.stderr).toBe('to-err\n');
    expect(r.code).toBe(4);
    const stdin = await runDocker(socket, ['exec', '-i', 'box', 'cat'], { input: 'piped input\n' });
    expect(stdin.stdout).toBe('piped input\n');
    const detached = await docker('exec', '-d', 'box', 'touch', '/tmp/marker');
    expect(detached.code).toBe(0);
    let seen = await docker('exec', 'box', 'ls', '/tmp');
    for (let i = 0; i < 20 && !seen.stdout.includes('marker'); i++) seen = await docker('exec', 'box', 'ls', '/tmp');
    expect(seen.stdout).toContain('marker');
    // Under a pty: the exec gets a terminal of its own and the raw (unframed) stream.
    const tty = await runDockerTty(socket, ['exec', '-it', 'box', 'sh', '-c', 'tty; exit 6']);
    expect(tty.stdout).toMatch(/^\/dev\/pts\/\d+\r\n$/);
    expect(tty.code).toBe(6);
    const typed = await runDockerTty(socket, ['exec', '-it', 'box', 'sh'], { input: 'echo typed-$((6*7))\nexit 7\n' });
    expect(typed.stdout).toContain('typed-42\r\n');
    expect(typed.code).toBe(7);
    expect((await docker('rm', '-f', 'box')).code).toBe(0);
  });

  it('docker start -a attaches before the start and prints the whole run', async () => {
    await create('quick', ['sh', '-c', 'echo first; echo second >&2; exit 5']);
    const r = await docker('start', '-a', 'quick');
    expect(r.stdout).toBe('first\n');
    expect(r.stderr).toBe('second\n');
    expect(r.code).toBe(5);
    expect((await docker('rm', 'quick')).code).toBe(0);
  });

  it('docker network create, ls, inspect and rm map onto the engine networks', async () => {
    const created = await docker('network', 'create', '--label', 'team=a', '--subnet', '10.89.77.0/24', 'fdnet');
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toMatch(/^[0-9a-f]{12,64}$/);
    const ls = await docker('network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}} {{.Scope}}');
    expect(ls.stdout).toBe('fdnet bridge local\n');
    const inspect = JSON.parse((await docker('network', 'inspect', 'fdnet')).stdout) as { Name: string; IPAM: { Config: { Subnet: string }[] }; Labels: object }[];
    expect(inspect[0]).toMatchObject({ Name: 'fdnet', IPAM: { Config: [{ Subnet: '10.89.77.0/24' }] }, Labels: { team: 'a' } });
    const dup = await docker('network', 'create', 'fdnet');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('Error response from daemon:');

    expect((await docker('network', 'rm', 'fdnet')).code).toBe(0);
    const gone = await docker('network', 'inspect', 'fdnet');
    expect(gone.code).toBe(1);
  });

  it('docker pause, unpause, restart and kill change the state as docker reports it', async () => {
    // PID 1 ignores signals it has no handler for, so the shell traps TERM itself.
    await create('cycler', ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    await docker('start', 'cycler');
    const state = async () => (await docker('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'cycler')).stdout.trim();
    expect((await docker('pause', 'cycler')).code).toBe(0);
    expect(await state()).toBe('paused 0');
    expect((await docker('unpause', 'cycler')).code).toBe(0);
    expect(await state()).toBe('running 0');
    const pid = async () => (await docker('inspect', '--format', '{{.State.Pid}}', 'cycler')).stdout.trim();
    const before = await pid();
    expect((await docker('restart', '-t', '0', 'cycler')).code).toBe(0);
    expect(await state()).toBe('running 0');
    expect(await pid()).not.toBe(before);
    expect((await docker('kill', '-s', 'TERM', 'cycler')).code).toBe(0);
    expect((await docker('wait', 'cycler')).stdout.trim()).toBe('7');
    const notRunning = await docker('kill', 'cycler');
    expect(notRunning.code).toBe(1);
    expect(notRunning.stderr).toContain('Error response from daemon:');
    expect((await docker('rm', 'cycler')).code).toBe(0);
  });

  it('docker inspect walks every object type to "No such object"; unsupported commands say so', async () => {
    const r = await docker('inspect', 'nothing-here');
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('[]');
    expect(r.stderr.trim()).toBe('Error: No such object: nothing-here');
    await create('plain', ['true']);
    const update = await docker('update', '--memory', '64m', 'plain');
    expect(update.code).toBe(1);
    expect(update.stderr).toContain('updating container resources is not supported by this engine yet');
    expect((await docker('rm', 'plain')).code).toBe(0);
    const df = await docker('system', 'df', '--format', '{{.Type}} {{.TotalCount}}');
    expect(df.code).toBe(0);
    expect(df.stdout).toContain('Images 0\n');
  });

  it('docker attach streams a running container; a client that goes away leaves it running and holds nothing', async () => {
    await create('chatty', ['sh', '-c', 'trap "exit 0" TERM; while :; do echo tick; sleep 0.2; done']);
    await docker('start', 'chatty');
    const child = spawn(DOCKER_BIN, ['attach', '--no-stdin', 'chatty'], { env: { PATH: process.env.PATH, HOME: engine.root, DOCKER_HOST: `unix://${socket}` } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('tick\ntick\n'), 10_000, 'attached output');
    child.kill('SIGKILL');
    await eventually(() => engine.host.docker.active() === 0, 5000, 'the attach to be released');
    expect((await docker('inspect', '--format', '{{.State.Running}}', 'chatty')).stdout.trim()).toBe('true');
    expect((await docker('rm', '-f', 'chatty')).code).toBe(0);
  });
  it('docker ps filters by exit code, health and before/since, and -s reports the layer size', async () => {
    for (const [name, code] of [['ex3', 3], ['ex0', 0]] as const) {
      const id = await create(name, ['sh', '-c', `exit ${code}`]);
      await engine.client.call('containers.start', { id });
      await engine.client.call('containers.wait', { id });
    }
    const names = async (...args: string[]) => (await docker('ps', '-a', '--format', '{{.Names}}', ...args)).stdout.trim().split('\n').filter(Boolean);
    expect(await names('--filter', 'exited=3')).toEqual(['ex3']);
    expect(await names('--filter', 'since=ex3', '--filter', 'name=ex')).toEqual(['ex0']);
    expect(await names('--filter', 'before=ex0', '--filter', 'name=ex')).toEqual(['ex3']);
    expect(await names('--filter', 'health=healthy', '--filter', 'name=ex')).toEqual([]);
    const bad = await docker('ps', '--filter', 'exited=zero');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid filter 'exited=zero'");
    const sized = await docker('ps', '-a', '-s', '--filter', 'name=ex3', '--format', '{{.Size}}');
    expect(sized.stdout.trim()).toMatch(/^\d+(\.\d+)?[kMG]?B/);
    for (const n of ['ex3', 'ex0']) await docker('rm', n);
  });
});
