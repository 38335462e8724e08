// The lifecycle gaps of issues 3 and 7 against a real engine (runc, conmon, busybox, SQLite): docker top and
// stats, the extra ps filters and sizes, logs that are not UTF-8, the dead state of a container whose
// cleanup fails, and multi-container rm/wait where one fails. CLI commands run in-process on the real client.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, pullBusybox, type BusyboxRootfs } from '../testing/fixtures';
import type { Command, CliContext } from '../cli/command';
import { logsCommand } from '../cli/commands/logs';
import { topCommand } from '../cli/commands/top';
import { statsCommand } from '../cli/commands/stats';
import { psCommand, parsePsFilters } from '../cli/commands/ps';
import { rmCommand } from '../cli/commands/rm';
import { waitCommand } from '../cli/commands/wait';
import { decodeFrames } from '../logs';

let engine: TestEngine;
let box: BusyboxRootfs;
let work: string;
let rootfs: string;

beforeAll(async () => {
  box = busyboxRootfs('fd-gaps-');
  ({ work, rootfs } = box);
  engine = await startTestEngine();
}, 60_000);

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

async function create(name: string, cmd: string[], extra: Record<string, unknown> = {}) {
  const { id } = await engine.client.call('containers.create', { networkMode: 'none', name, rootfs, cmd, ...extra });
  return id;
}

async function runToExit(name: string, script: string, extra: Record<string, unknown> = {}) {
  const id = await create(name, ['sh', '-c', script], extra);
  await engine.client.call('containers.start', { id });
  await engine.client.call('containers.wait', { id });
  return id;
}

/** Runs an fd command in-process against the test engine; output kept as bytes. `closeAfter`: stdout goes away after that many writes. */
async function cli(command: Command, argv: string[], closeAfter = Infinity) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        into.push(Buffer.from(chunk));
        done();
        if (into === out && out.length >= closeAfter) this.destroy();
      },
    });
  const ctx: CliContext = {
    root: engine.root,
    explicitRoot: true,
    io: { stdout: sink(out), stderr: sink(err), stdin: process.stdin, env: {} },
    client: async () => engine.client,
  };
  const code = await command.run(argv, ctx);
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

function dockerGet(pathname: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: path.join(engine.root, 'docker.sock'), path: pathname, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The real docker CLI against the engine's Docker API socket; stdout kept as bytes. */
function dockerCli(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${path.join(engine.root, 'docker.sock')}`, DOCKER_CONFIG: work }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
  });
}

describe('logs keep bytes that are not UTF-8', () => {
  it('contract data, fd logs and the Docker API logs give the exact bytes 0xff 0xfe', async () => {
    const id = await runToExit('binlog', "printf '\\377\\376ok\\n'; echo plain");
    const lines = [];
    for await (const l of engine.client.stream('containers.logs', { id })) lines.push(l);
    expect(lines.map((l) => l.line)).toEqual(['\ufffd\ufffdok', 'plain']);
    expect(Buffer.from(lines[0]!.data!, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x6f, 0x6b]));
    expect(lines[1]!.data).toBeUndefined();

    const expected = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ok\nplain\n')]);
    const r = await cli(logsCommand, ['binlog']);
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(expected);

    const api = await dockerGet(`/v1.43/containers/${id}/logs?stdout=1&stderr=1`);
    expect(api.status).toBe(200);
    expect(Buffer.concat(decodeFrames(api.body).map((f) => f.payload))).toEqual(expected);
    const docker = await dockerCli(['logs', 'binlog']);
    expect(docker.stdout).toEqual(expected);
  });
});

describe('top', () => {
  it("lists the container's processes only, with ps options, over the contract, fd top and the Docker API", async () => {
    const id = await create('topper', ['sh', '-c', 'sleep 301 & exec sleep 302']);
    await engine.client.call('containers.start', { id });
    // The shell forks the background sleep just after start: wait for both processes.
    let top = await engine.client.call('containers.top', { id: 'topper' });
    for (let i = 0; i < 50 && top.processes.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      top = await engine.client.call('containers.top', { id: 'topper' });
    }
    expect(top.titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(top.processes.map((p) => p[7]).sort()).toEqual(['sleep 301', 'sleep 302']);
    const initPid = (await engine.client.call('containers.inspect', { id })).state.pid;
    expect(top.processes[0]![1]).toBe(String(initPid));

    const aux = await engine.client.call('containers.top', { id, psArgs: 'aux' });
    expect(aux.titles.slice(0, 3)).toEqual(['USER', 'PID', '%CPU']);
    expect(aux.processes).toHaveLength(2);
    await expect(engine.client.call('containers.top', { id, psArgs: '-o comm' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/PID/) });

    const r = await cli(topCommand, ['topper', '-o', 'pid,args']);
    expect(r.code).toBe(0);
    const rows = r.stdout.toString().trim().split('\n');
    expect(rows[0]).toMatch(/^PID\s+COMMAND$/);
    expect(rows.slice(1).map((l) => l.replace(/^\d+\s+/, '')).sort()).toEqual(['sleep 301', 'sleep 302']);

    const api = await dockerGet(`/v1.43/containers/${id}/top?ps_args=-ef`);
    expect(api.status).toBe(200);
    const body = JSON.parse(api.body.toString()) as { Titles: string[]; Processes: string[][] };
    expect(body.Titles).toContain('PID');
    expect(body.Processes).toHaveLength(2);

    const docker = await dockerCli(['top', 'topper', 'aux']);
    expect(docker.code).toBe(0);
    expect(docker.stdout.toString()).toMatch(/^USER\s+PID\s+%CPU/);
    expect(docker.stdout.toString()).toContain('sleep 302');

    await engine.client.call('containers.kill', { id });
    await engine.client.call('containers.wait', { id });
    await expect(engine.client.call('containers.top', { id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/is not running/) });
    expect((await dockerGet(`/containers/${id}/top`)).status).toBe(409);
  });
});

describe('stats', () => {
  it('fd stats --no-stream shows usage against the memory limit; a stopped container shows zeros', async () => {
    const id = await create('statsy', ['sh', '-c', 'sleep 303'], { resources: { memory: 64 * 1024 * 1024, pidsLimit: 50 } });
    await engine.client.call('containers.start', { id });
    await create('stopped-stats', ['true']);

    const json = await cli(statsCommand, ['--no-stream', '--format', 'json', 'statsy', 'stopped-stats']);
    expect(json.code).toBe(0);
    const rows = json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => r.Name)).toEqual(['statsy', 'stopped-stats']);
    expect(rows[0]).toMatchObject({ ID: id.slice(0, 12), PIDs: '1' });
    expect(rows[0]!.MemUsage).toMatch(/^[\d.]+(B|KiB|MiB) \/ 64MiB$/);
    expect(rows[0]!.CPUPerc).toMatch(/^\d+\.\d\d%$/);
    expect(rows[1]).toMatchObject({ CPUPerc: '0.00%', MemUsage: '0B / 0B', PIDs: '0' });

    // No names: the running containers only; -a adds the stopped one.
    const table = (await cli(statsCommand, ['--no-stream'])).stdout.toString().split('\n');
    expect(table[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(table.some((l) => l.includes('statsy'))).toBe(true);
    expect(table.some((l) => l.includes('stopped-stats'))).toBe(false);
    expect((await cli(statsCommand, ['--no-stream', '-a'])).stdout.toString()).toContain('stopped-stats');

    // Streaming: a sample a second until the reader goes away; from the second on, CPU % has a base.
    const live = await cli(statsCommand, ['--format', 'json', 'statsy'], 2);
    expect(live.code).toBe(0);
    const liveRows = live.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(liveRows).toHaveLength(2);
    expect(liveRows.every((r) => r.Name === 'statsy' && r.PIDs === '1')).toBe(true);

    const missing = await cli(statsCommand, ['--no-stream', 'no-such-thing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such container: no-such-thing/);
    await engine.client.call('containers.remove', { id, force: true });
  });
});

describe('ps filters', () => {
  it('exited, before/since, --last, network, volume, health and is-task select what docker would', async () => {
    const data = path.join(work, 'data');
    fs.mkdirSync(data);
    const first = await runToExit('ps-first', 'exit 3');
    const second = await runToExit('ps-second', 'exit 0', { mounts: [{ type: 'bind', source: data, target: '/data' }] });
    const third = await create('ps-third', ['sleep', '300']);
    await engine.client.call('containers.start', { id: third });
    const names = async (filters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      (await engine.client.call('containers.list', { all: true, filters, ...extra })).map((c) => c.name).filter((n) => n.startsWith('ps-'));

    expect(await names({ exited: [3] })).toEqual(['ps-first']);
    expect(await names({ exited: [0, 3] })).toEqual(['ps-second', 'ps-first']);
    expect(await names({ before: 'ps-third' })).toEqual(['ps-second', 'ps-first']);
    expect(await names({ since: 'ps-first' })).toEqual(['ps-third', 'ps-second']);
    expect(await names({ since: 'ps-first', before: 'ps-third' })).toEqual(['ps-second']);
    await expect(engine.client.call('containers.list', { filters: { before: 'nope' } })).rejects.toMatchObject({ code: 'not_found' });
    expect(await names({ volume: ['/data'] })).toEqual(['ps-second']);
    expect(await names({ volume: [data] })).toEqual(['ps-second']);
    expect(await names({ network: ['none'] })).toEqual(['ps-third', 'ps-second', 'ps-first']);
    expect(await names({ network: ['bridge'] })).toEqual([]);
    expect(await names({ health: ['none'] })).toEqual(['ps-third', 'ps-second', 'ps-first']);
    expect(await names({ health: ['healthy'] })).toEqual([]);
    expect(await names({ ancestor: [rootfs] })).toEqual(['ps-third', 'ps-second', 'ps-first']);

    // As in docker, exited= needs -a (without it only running containers are candidates); status= does not.
    expect(await engine.client.call('containers.list', { filters: { exited: [3] } })).toEqual([]);
    expect((await engine.client.call('containers.list', { filters: { status: ['exited'] } })).map((c) => c.name).filter((n) => n.startsWith('ps-'))).toEqual(['ps-second', 'ps-first']);

    const last2 = await cli(psCommand, ['-n', '2', '-q', '--no-trunc']);
    expect(last2.stdout.toString().trim().split('\n')).toEqual([third, second]);
    expect((await cli(psCommand, ['-l', '-q', '--no-trunc'])).stdout.toString().trim()).toBe(third);
    const filtered = await cli(psCommand, ['-a', '-q', '--no-trunc', '-f', 'exited=3', '-f', 'is-task=true']);
    expect(filtered.stdout.toString().trim()).toBe(first);
    expect(() => parsePsFilters(['exited=x'])).toThrow(/exit code/);
    expect(() => parsePsFilters(['health=sick'])).toThrow(/starting, healthy, unhealthy, none/);

    const sized = await cli(psCommand, ['-a', '-s', '-f', 'name=ps-first']);
    expect(sized.stdout.toString().split('\n')[0]).toMatch(/NAMES\s+SIZE$/);
    expect(sized.stdout.toString().split('\n')[1]).toMatch(/ps-first\s+0B$/);
    await engine.client.call('containers.remove', { id: third, force: true });
  });

  it('-s gives the size of an image container’s own layer, and ancestor= matches its image', async () => {
    const { ref, registry: reg } = await pullBusybox(engine.client);
    try {
      const id = await engine.client.call('containers.create', { networkMode: 'none', name: 'writer', image: ref, cmd: ['sh', '-c', 'head -c 5000 /dev/zero > /blob'] }).then((r) => r.id);
      await engine.client.call('containers.start', { id });
      await engine.client.call('containers.wait', { id });
      const [c] = await engine.client.call('containers.list', { all: true, size: true, filters: { name: ['writer'] } });
      expect(c!.sizeRw).toBeGreaterThanOrEqual(5000);
      expect(c!.sizeRw).toBeLessThan(64 * 1024);
      const byAncestor = async (a: string) => (await engine.client.call('containers.list', { all: true, filters: { ancestor: [a] } })).map((x) => x.name);
      expect(await byAncestor(`${reg.host}/library/busybox`)).toEqual(['writer']);
      const imageId = (await engine.client.call('containers.inspect', { id })).imageId;
      expect(await byAncestor(imageId.replace(/^sha256:/, '').slice(0, 12))).toEqual(['writer']);
      expect(await byAncestor('other:latest')).toEqual([]);
      await engine.client.call('containers.remove', { id });
      // ps and inspect name the image as it was given (docker's Config.Image), not its normalized reference.
      const untagged = `${reg.host}/library/busybox`;
      const named = await engine.client.call('containers.create', { networkMode: 'none', name: 'named', image: untagged, cmd: ['true'] });
      expect((await engine.client.call('containers.list', { all: true, filters: { name: ['named'] } }))[0]!.image).toBe(untagged);
      expect((await engine.client.call('containers.inspect', { id: named.id })).image).toBe(untagged);
      await engine.client.call('containers.remove', { id: named.id });
    } finally {
      await reg.stop();
    }
  }, 120_000);
});

describe('several containers in one command', () => {
  it('rm and wait go on past a failure: one error line per failure and exit code 1', async () => {
    const a = await runToExit('multi-a', 'exit 4');
    await runToExit('multi-b', 'exit 5');
    const waited = await cli(waitCommand, ['multi-a', 'missing-one', 'multi-b']);
    expect(waited.code).toBe(1);
    expect(waited.stdout.toString()).toBe('4\n5\n');
    expect(waited.stderr.trim().split('\n')).toEqual(['Error response from daemon: No such container: missing-one']);

    const removed = await cli(rmCommand, ['multi-a', 'missing-one', 'missing-two', 'multi-b']);
    expect(removed.code).toBe(1);
    expect(removed.stdout.toString()).toBe('multi-a\nmulti-b\n');
    expect(removed.stderr.trim().split('\n')).toHaveLength(2);
    await expect(engine.client.call('containers.inspect', { id: a })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('dead containers', () => {
  let holder: ChildProcess | null = null;
  let busy = '';
  afterAll(() => {
    holder?.kill('SIGKILL');
    if (busy) spawnSyncQuiet('umount', ['-l', busy]);
  });

  it('a removal whose cleanup fails (a busy mount in its dir) leaves it dead with the error; rm -f removes it once freed', async () => {
    const id = await create('doomed', ['sleep', '300']);
    await engine.client.call('containers.start', { id });
    // Something outside the engine mounts a dir inside the container's storage and keeps it busy.
    const source = path.join(work, 'precious');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'keep.txt'), 'not the container’s');
    busy = path.join(engine.root, 'containers', id, 'busy');
    fs.mkdirSync(busy);
    execFileSync('mount', ['--bind', source, busy]);
    holder = spawn('sleep', ['300'], { cwd: busy, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));

    await expect(engine.client.call('containers.remove', { id, force: true })).rejects.toThrow(/Could not remove container doomed: .*busy is still mounted/);
    const dead = await engine.client.call('containers.inspect', { id });
    expect(dead.state).toMatchObject({ status: 'dead', dead: true, running: false });
    expect(dead.state.error).toMatch(/still mounted/);
    // The bind source was never walked into by the delete.
    expect(fs.readFileSync(path.join(source, 'keep.txt'), 'utf8')).toBe('not the container’s');
    const listed = await engine.client.call('containers.list', { filters: { status: ['dead'] } });
    expect(listed.map((c) => c.name)).toEqual(['doomed']);
    expect(listed[0]!.status).toBe('Dead');
    // Still busy: rm -f fails again, and it stays dead.
    const again = await cli(rmCommand, ['-f', 'doomed']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/still mounted/);
    await expect(engine.client.call('containers.start', { id })).rejects.toThrow(/doomed is dead \(.*still mounted.*\): remove it with rm -f/);

    // An engine restart keeps it dead: not running, not removed behind the user's back.
    const root = engine.root;
    await engine.close();
    engine = await startTestEngine({ root });
    expect((await engine.client.call('containers.inspect', { id })).state.status).toBe('dead');

    holder.kill('SIGKILL');
    await new Promise((r) => holder!.once('exit', r));
    holder = null;
    const ok = await cli(rmCommand, ['-f', 'doomed']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await expect(engine.client.call('containers.inspect', { id })).rejects.toMatchObject({ code: 'not_found' });
    expect(fs.existsSync(path.join(root, 'containers', id))).toBe(false);
    expect(fs.readFileSync(path.join(source, 'keep.txt'), 'utf8')).toBe('not the container’s');
    const actions = engine.host.engine.ctx.events.list({ limit: 1000 }).filter((e) => e.actor.id === id).map((e) => e.action);
    expect(actions).toContain('dead');
    expect(actions[0]).toBe('destroy');
    busy = '';
  }, 60_000);
});

function spawnSyncQuiet(cmd: string, args: string[]) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}
