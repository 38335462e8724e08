// Containers outlive the engine: `bin/fd engine` runs as a child process, is SIGKILLed with containers
// running, and the next engine reconciles from conmon's exit files and process table. Also drives the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartableEngine, runFd, tempRoot } from '../testing/engine';
import { buildBusyboxRootfs } from '../testing/rootfs';

let root: string;
let rootfs: string;
let engine: RestartableEngine;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fd = (...args: string[]) => runFd(['--root', root, ...args]);

beforeAll(() => {
  root = tempRoot('fd-reconcile-');
  rootfs = buildBusyboxRootfs(path.join(root, 'fixture-rootfs'));
  engine = new RestartableEngine(root);
});

afterAll(async () => {
  try {
    await engine?.removeAllAndStop();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

describe('reconcile after the engine is SIGKILLed', () => {
  it('keeps a running container running and records one that exited while the engine was down', async () => {
    let c = await engine.start();
    const { id: runner } = await c.call('containers.create', { name: 'runner', rootfs, cmd: ['sh', '-c', 'echo up; exec sleep 300'] });
    const { id: quitter } = await c.call('containers.create', { name: 'quitter', rootfs, cmd: ['sh', '-c', 'sleep 1; echo done; exit 5'] });
    const { id: retry } = await c.call('containers.create', {
      name: 'retry',
      rootfs,
      cmd: ['sh', '-c', 'sleep 1; exit 4'],
      restartPolicy: { name: 'on-failure', maximumRetryCount: 1 },
    });
    for (const id of [runner, quitter, retry]) await c.call('containers.start', { id });
    const pid = (await c.call('containers.inspect', { id: runner })).state.pid;
    await engine.kill();
    await sleep(2000); // quitter and retry exit while no engine watches

    c = await engine.start();
    const r = await c.call('containers.inspect', { id: runner });
    expect(r.state).toMatchObject({ status: 'running', pid });
    const q = await c.call('containers.inspect', { id: quitter });
    expect(q.state).toMatchObject({ status: 'exited', exitCode: 5 });
    const logs = [];
    for await (const l of c.stream('containers.logs', { id: quitter })) logs.push(l.line);
    expect(logs).toEqual(['done']);
    const events = await c.call('events.list', { filters: { actor: [quitter], action: ['die'] } });
    expect(events.map((e) => e.actor.attributes.exitCode)).toEqual(['5']);
    // on-failure:1 restarts the container that failed while the engine was down, once.
    const t = await c.call('containers.wait', { id: retry, condition: 'next-exit' });
    expect(t.exitCode).toBe(4);
    expect((await c.call('containers.inspect', { id: retry })).restartCount).toBe(1);

    // The adopted container is watched again: stop works and its exit is seen.
    await c.call('containers.stop', { id: runner, timeout: 1 });
    expect((await c.call('containers.inspect', { id: runner })).state.exitCode).toBe(137);
  });

  it('cleans up a conmon and runtime container left by a start the engine never finished', async () => {
    const c = engine.client ?? (await engine.start());
    const { id } = await c.call('containers.create', { rootfs, cmd: ['sleep', '300'] });
    await c.call('containers.start', { id });
    // Simulate a crash between `runc create/start` and the store update: the store still says created.
    const db = (await import('better-sqlite3')).default;
    await engine.kill();
    const store = new db(path.join(root, 'store.db'));
    const row = store.prepare('SELECT state FROM containers WHERE id = ?').get(id) as { state: string };
    const state = JSON.parse(row.state) as { status: string; conmonPid: number };
    store.prepare("UPDATE containers SET status = 'created', state = ? WHERE id = ?").run(JSON.stringify({ ...state, status: 'created' }), id);
    store.close();
    const conmonPid = state.conmonPid;
    const c2 = await engine.start();
    const after = await c2.call('containers.inspect', { id });
    expect(after.state.status).toBe('created');
    expect(fs.existsSync(`/proc/${conmonPid}`) && !fs.readFileSync(`/proc/${conmonPid}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect(fs.readdirSync(path.join(root, 'runtime'))).not.toContain(id);
    await c2.call('containers.start', { id });
    await c2.call('containers.remove', { id, force: true });
  });
});

describe('reconcile from a store the previous engine left mid-way', () => {
  it('finishes an interrupted removal and treats a container from another boot as exited', async () => {
    const c = engine.client ?? (await engine.start());
    const { id: removing } = await c.call('containers.create', { rootfs, cmd: ['true'] });
    const { id: oldBoot } = await c.call('containers.create', { rootfs, cmd: ['sleep', '300'] });
    await c.call('containers.start', { id: oldBoot });
    const conmonPid = (await c.call('containers.inspect', { id: oldBoot })).state.pid;
    await engine.kill();
    const db = (await import('better-sqlite3')).default;
    const store = new db(path.join(root, 'store.db'));
    const get = store.prepare('SELECT state FROM containers WHERE id = ?');
    const put = store.prepare('UPDATE containers SET status = ?, state = ? WHERE id = ?');
    const r = JSON.parse((get.get(removing) as { state: string }).state) as object;
    put.run('removing', JSON.stringify({ ...r, status: 'removing' }), removing);
    const o = JSON.parse((get.get(oldBoot) as { state: string }).state) as object;
    put.run('running', JSON.stringify({ ...o, bootId: 'a-previous-boot' }), oldBoot);
    store.close();

    const c2 = await engine.start();
    await expect(c2.call('containers.inspect', { id: removing })).rejects.toMatchObject({ code: 'not_found' });
    expect(fs.existsSync(path.join(root, 'containers', removing))).toBe(false);
    const after = await c2.call('containers.inspect', { id: oldBoot });
    expect(after.state).toMatchObject({ status: 'exited', exitCode: 255, error: expect.stringMatching(/host restarted/) });
    expect(fs.existsSync(`/proc/${conmonPid}/cmdline`) && fs.readFileSync(`/proc/${conmonPid}/cmdline`, 'utf8').includes('sleep')).toBe(false);
    await c2.call('containers.remove', { id: oldBoot });
  });
});

describe('fd CLI', () => {
  beforeAll(async () => {
    if (!engine.client) await engine.start();
  });

  it('run returns the container exit code, streams output and honours --rm', async () => {
    const r = await fd('run', '--rm', '--name', 'cli-run', '--rootfs', rootfs, 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await fd('ps', '-a', '--format', 'json')).stdout).not.toContain('cli-run');
  });

  it('run -i forwards stdin; a missing command exits 127 with a clear message', async () => {
    const r = await runFd(['--root', root, 'run', '-i', '--rm', '--rootfs', rootfs, 'sh', '-c', 'read x; echo "got $x"'], { input: 'hello\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'got hello\n' });
    const cat = await runFd(['--root', root, 'run', '-i', '--rm', '--rootfs', rootfs, 'cat'], { input: 'a\nb\n' });
    expect(cat).toMatchObject({ code: 0, stdout: 'a\nb\n' }); // stdin EOF reached cat, so it ended
    const missing = await fd('run', '--rm', '--rootfs', rootfs, '/no/such');
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/\/no\/such.*no such file or directory/);
  });

  it('Ctrl-C on an attached run reaches the container as SIGINT', async () => {
    const { spawn } = await import('node:child_process');
    const { fdBin } = await import('../testing/engine');
    const child = spawn(process.execPath, [fdBin, '--root', root, 'run', '--rm', '--rootfs', rootfs, 'sh', '-c', 'trap "echo caught; exit 4" INT; echo ready; while :; do sleep 0.1; done'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('ready'); i++) await sleep(25);
    child.kill('SIGINT');
    expect(await exited).toBe(4);
    expect(out).toBe('ready\ncaught\n');
  });

  it('ps filters by status, label, name and id; usage errors exit 125', async () => {
    const a = (await fd('run', '-d', '--name', 'web', '-l', 'tier=front', '--rootfs', rootfs, 'sleep', '300')).stdout.trim();
    const b = (await fd('create', '--name', 'idle', '--rootfs', rootfs, 'true')).stdout.trim();
    const names = async (...args: string[]) =>
      (await fd('ps', '--format', 'json', ...args)).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { name: string }).name)
        .sort();
    expect(await names()).toEqual(['web']);
    expect(await names('-a', '-f', 'status=created')).toEqual(['idle']);
    expect(await names('-a', '-f', 'label=tier=front')).toEqual(['web']);
    expect(await names('-a', '-f', 'name=idl')).toEqual(['idle']);
    expect(await names('-a', '-f', `id=${b.slice(0, 8)}`)).toEqual(['idle']);
    expect((await fd('ps', '-f', 'bogus=1')).code).toBe(125);
    expect((await fd('run', '--rootfs', rootfs, '--restart', 'sometimes', 'true')).code).toBe(125);
    const exec = await fd('exec', 'web', 'sh', '-c', 'echo in; exit 6');
    expect(exec).toMatchObject({ code: 6, stdout: 'in\n' });
    expect((await fd('stop', '-t', '1', 'web')).stdout).toBe('web\n');
    expect((await fd('wait', a)).stdout).toBe('137\n');
    expect((await fd('inspect', '-f', '{{.State.ExitCode}} {{.Name}} {{json .Config.Labels}}', 'web')).stdout).toBe('137 web {"tier":"front"}\n');
    expect(await fd('start', '-a', 'idle')).toMatchObject({ code: 0, stdout: '' });
    expect((await fd('logs', 'nope')).code).toBe(125);
    expect((await fd('rm', 'web', 'idle')).code).toBe(0);
  });
});
