// Container lifecycle through the real contract path: an in-process engine host on a temp root, a unix-socket
// client, runc + conmon, and a busybox rootfs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, pullBusybox, type BusyboxRootfs } from '../testing/fixtures';
import type { EngineClient } from '../api/client';
import type { EngineEvent } from '../api/events';
import { isMounted } from '../runtime/overlay';

let engine: TestEngine;
let client: EngineClient;
let rootfs: string;
let box: BusyboxRootfs;

beforeAll(async () => {
  box = busyboxRootfs('fd-ctr-fixture-');
  rootfs = box.rootfs;
  engine = await startTestEngine();
  client = engine.client;
});

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

function containerEvents(id: string, afterSeq: number): EngineEvent[] {
  return engine.host.engine.ctx.events.list({ limit: 1000 }).filter((e) => e.actor.id === id && e.seq > afterSeq).reverse();
}

describe('container lifecycle', () => {
  it('create → start → logs follow → stop → rm, with one event per transition', async () => {
    const before = engine.host.engine.ctx.events.lastSeq();
    const { id } = await client.call('containers.create', {
      name: 'demo',
      rootfs,
      cmd: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo hello; echo oops >&2; while true; do sleep 0.1; done'],
    });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await client.call('containers.start', { id: 'demo' });
    const listed = await client.call('containers.list', {});
    expect(listed.map((c) => c.name)).toContain('demo');
    expect(listed.find((c) => c.id === id)!.state).toBe('running');

    const follow = collect(client.stream('containers.logs', { id: id.slice(0, 12), follow: true }));
    await new Promise((r) => setTimeout(r, 300));
    await client.call('containers.stop', { id: 'demo', timeout: 5 });
    const lines = await follow; // ends by itself once the container exited
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['hello', 'bye']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['oops']);

    const inspected = await client.call('containers.inspect', { id });
    expect(inspected.state.status).toBe('exited');
    expect(inspected.state.exitCode).toBe(0);
    await client.call('containers.remove', { id });
    await expect(client.call('containers.inspect', { id })).rejects.toThrow(/No such container: /);
    expect(fs.existsSync(path.join(engine.root, 'containers', id))).toBe(false);
    expect(containerEvents(id, before).map((e) => e.action)).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy']);
  });

  it('returns exit codes and keeps a running container from removal without force', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'exit 42'] });
    await client.call('containers.start', { id });
    expect((await client.call('containers.wait', { id })).exitCode).toBe(42);
    expect((await client.call('containers.inspect', { id })).state.exitCode).toBe(42);

    const { id: sleeper } = await client.call('containers.create', { rootfs, cmd: ['sleep', '60'] });
    await client.call('containers.start', { id: sleeper });
    await expect(client.call('containers.remove', { id: sleeper })).rejects.toMatchObject({ code: 'conflict' });
    await expect(client.call('containers.start', { id: sleeper })).rejects.toMatchObject({ code: 'not_modified' });
    await client.call('containers.kill', { id: sleeper, signal: 'KILL' });
    expect((await client.call('containers.wait', { id: sleeper })).exitCode).toBe(137);
    await client.call('containers.remove', { id: sleeper });
    await client.call('containers.remove', { id });
  });

  it('a command missing from the rootfs is a clear error and leaves no runtime state behind', async () => {
    const { id } = await client.call('containers.create', { name: 'missing', rootfs, cmd: ['/no/such/binary'] });
    await expect(client.call('containers.start', { id })).rejects.toThrow(/no such file or directory|not found/);
    const inspected = await client.call('containers.inspect', { id });
    expect(inspected.state.status).toBe('created');
    expect(inspected.state.exitCode).toBe(127);
    const dir = path.join(engine.root, 'containers', id);
    expect(fs.existsSync(path.join(dir, 'conmon.pid'))).toBe(false);
    expect(fs.readdirSync(path.join(engine.root, 'runtime'))).not.toContain(id);
    await client.call('containers.remove', { id });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('rejects name conflicts, unknown and ambiguous references', async () => {
    const { id } = await client.call('containers.create', { name: 'taken', rootfs, cmd: ['true'] });
    await expect(client.call('containers.create', { name: 'taken', rootfs, cmd: ['true'] })).rejects.toMatchObject({ code: 'conflict' });
    await expect(client.call('containers.start', { id: 'nope' })).rejects.toThrow('No such container: nope');
    await expect(client.call('containers.create', { rootfs: '/does/not/exist', cmd: ['true'] })).rejects.toMatchObject({ code: 'invalid' });
    const { id: other } = await client.call('containers.create', { rootfs, cmd: ['true'] });
    // A one-character prefix shared by both ids is ambiguous unless they differ in their first character.
    if (id[0] === other[0]) await expect(client.call('containers.inspect', { id: id[0]! })).rejects.toThrow(/multiple containers/);
    expect((await client.call('containers.inspect', { id: id.slice(0, 10) })).name).toBe('taken');
    await client.call('containers.remove', { id });
    await client.call('containers.remove', { id: other });
  });

  it('reads a 20,000-character line back whole', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; echo; echo after'] });
    await client.call('containers.start', { id });
    await client.call('containers.wait', { id });
    const lines = await collect(client.stream('containers.logs', { id }));
    expect(lines.map((l) => l.line.length)).toEqual([20000, 5]);
    expect(lines[0]!.line).toBe('x'.repeat(20000));
    await client.call('containers.remove', { id });
  });

  it('follows 100 MB of output without losing a line, with bounded memory', async () => {
    const line = '0123456789'.repeat(9) + '0123456';
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', `yes ${line} | head -n 1000000; echo end`] });
    await client.call('containers.start', { id });
    const heapBefore = process.memoryUsage().heapUsed;
    let lines = 0;
    let wrong = 0;
    let last = '';
    let heapMax = 0;
    for await (const l of client.stream('containers.logs', { id, follow: true })) {
      lines++;
      if (l.line !== line && l.line !== 'end') wrong++;
      last = l.line;
      if (lines % 100_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    }
    expect({ lines, wrong, last }).toEqual({ lines: 1_000_001, wrong: 0, last: 'end' });
    // Engine and client share this process: together they held far less than the 98 MB that went through.
    expect(heapMax - heapBefore).toBeLessThan(80 * 1024 * 1024);
    await client.call('containers.remove', { id });
  });

  it('applies user, env, workdir, hostname and resource limits', async () => {
    const { id } = await client.call('containers.create', {
      rootfs,
      user: 'app',
      env: ['GREETING=hi'],
      workingDir: '/tmp',
      hostname: 'boat',
      resources: { memory: 64 * 1024 * 1024, pidsLimit: 50, cpus: 0.5 },
      cmd: ['sh', '-c', 'id -u; id -g; echo $GREETING; pwd; hostname; ulimit -n; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us'],
    });
    await client.call('containers.start', { id });
    expect((await client.call('containers.wait', { id })).exitCode).toBe(0);
    const out = (await collect(client.stream('containers.logs', { id }))).map((l) => l.line);
    expect(out.slice(0, 6)).toEqual(['1000', '1000', 'hi', '/tmp', 'boat', String(Math.min(1048576, 20000))]);
    expect(out.slice(6)).toEqual([String(64 * 1024 * 1024), '50', '50000']);
    await client.call('containers.remove', { id });
  });

  it('reports an OOM kill: oomKilled, an oom event, exit 137', async () => {
    const before = engine.host.engine.ctx.events.lastSeq();
    const { id } = await client.call('containers.create', { rootfs, resources: { memory: 16 * 1024 * 1024 }, cmd: ['sh', '-c', 'tail /dev/zero'] });
    await client.call('containers.start', { id });
    expect((await client.call('containers.wait', { id })).exitCode).toBe(137);
    expect((await client.call('containers.inspect', { id })).state.oomKilled).toBe(true);
    expect(containerEvents(id, before).map((e) => e.action)).toEqual(['create', 'start', 'oom', 'die']);
    await client.call('containers.remove', { id });
  });

  it('pauses and unpauses', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sleep', '60'] });
    await client.call('containers.start', { id });
    await client.call('containers.pause', { id });
    expect((await client.call('containers.inspect', { id })).state.paused).toBe(true);
    await client.call('containers.unpause', { id });
    expect((await client.call('containers.inspect', { id })).state.status).toBe('running');
    await client.call('containers.remove', { id, force: true });
  });

  it('exec runs in the container with stdin and an exit code', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sleep', '60'] });
    await client.call('containers.start', { id });
    const exec = await client.call('exec.create', { id, cmd: ['sh', '-c', 'read x; echo got:$x; echo err >&2; exit 3'], attachStdin: true });
    const out = collect(client.stream('exec.start', { id: exec.id }));
    await client.call('exec.write', { id: exec.id, data: Buffer.from('ping\n').toString('base64'), eof: true });
    const chunks = await out;
    const text = (s: string) => chunks.filter((c) => c.stream === s).map((c) => Buffer.from(c.data, 'base64').toString()).join('');
    expect(text('stdout')).toBe('got:ping\n');
    expect(text('stderr')).toBe('err\n');
    expect(chunks.at(-1)).toMatchObject({ stream: 'exit', exitCode: 3 });
    await client.call('containers.remove', { id, force: true });
  });

  it('creates running side by side get distinct generated names, and a name is never given twice', async () => {
    const made = await Promise.all(Array.from({ length: 40 }, () => client.call('containers.create', { rootfs, cmd: ['true'] })));
    const names = await Promise.all(made.map(({ id }) => client.call('containers.inspect', { id }).then((c) => c.name)));
    expect(new Set(names).size).toBe(40);
    const racing = await Promise.allSettled([0, 1].map(() => client.call('containers.create', { name: 'twin', rootfs, cmd: ['true'] })));
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(racing.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    for (const { id } of made) await client.call('containers.remove', { id });
    await client.call('containers.remove', { id: 'twin' });
  });

  it('a detached exec returns at once, runs on, and its exit is still recorded', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sleep', '60'] });
    await client.call('containers.start', { id });
    const seq = engine.host.engine.ctx.events.list({ limit: 1 })[0]!.seq;
    const exec = await client.call('exec.create', { id, cmd: ['sh', '-c', 'sleep 0.5; echo late > /tmp/marker; exit 4'] });
    await client.call('exec.startDetached', { id: exec.id });
    expect(await client.call('exec.inspect', { id: exec.id })).toMatchObject({ running: true, exitCode: null });
    for (let i = 0; i < 100 && (await client.call('exec.inspect', { id: exec.id })).running; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await client.call('exec.inspect', { id: exec.id })).toMatchObject({ running: false, exitCode: 4 });
    const die = containerEvents(id, seq).find((e) => e.action === 'exec_die');
    expect(die?.actor.attributes).toMatchObject({ execID: exec.id, exitCode: '4' });
    const check = await client.call('exec.create', { id, cmd: ['cat', '/tmp/marker'] });
    const chunks = await collect(client.stream('exec.start', { id: check.id }));
    expect(chunks.filter((c) => c.stream === 'stdout').map((c) => Buffer.from(c.data, 'base64').toString()).join('')).toBe('late\n');
    await client.call('containers.remove', { id, force: true });
  });

  it('mounts no overlay for --rootfs and cleans the bundle dir on removal', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['true'] });
    await client.call('containers.start', { id });
    await client.call('containers.wait', { id });
    expect(isMounted(path.join(engine.root, 'containers', id, 'rootfs'))).toBe(false);
    await client.call('containers.remove', { id });
  });
});

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('restart policies', () => {
  it('on-failure:N restarts a failing container N times, then leaves it exited', async () => {
    const before = engine.host.engine.ctx.events.lastSeq();
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'exit 3'], restartPolicy: { name: 'on-failure', maximumRetryCount: 2 } });
    await client.call('containers.start', { id });
    const final = await until(async () => {
      const i = await client.call('containers.inspect', { id });
      return i.restartCount === 2 && i.state.status === 'exited' && !i.state.restarting && i.state.exitCode === 3 && i;
    }, 'two restarts');
    expect(final.restartCount).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(containerEvents(id, before).filter((e) => e.action === 'start')).toHaveLength(3);
    expect(containerEvents(id, before).filter((e) => e.action === 'die').map((e) => e.actor.attributes.exitCode)).toEqual(['3', '3', '3']);
    await client.call('containers.remove', { id });
  });

  it('on-failure does not restart a clean exit; no never restarts', async () => {
    const { id: clean } = await client.call('containers.create', { rootfs, cmd: ['true'], restartPolicy: { name: 'on-failure' } });
    const { id: never } = await client.call('containers.create', { rootfs, cmd: ['false'] });
    await client.call('containers.start', { id: clean });
    await client.call('containers.start', { id: never });
    await client.call('containers.wait', { id: clean });
    await client.call('containers.wait', { id: never });
    await new Promise((r) => setTimeout(r, 400));
    expect((await client.call('containers.inspect', { id: clean })).restartCount).toBe(0);
    expect((await client.call('containers.inspect', { id: never })).state).toMatchObject({ status: 'exited', exitCode: 1 });
    await client.call('containers.remove', { id: clean });
    await client.call('containers.remove', { id: never });
  });

  it('always restarts after a clean exit until the user stops it', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'sleep 0.2'], restartPolicy: { name: 'always' } });
    await client.call('containers.start', { id });
    await until(async () => (await client.call('containers.inspect', { id })).restartCount >= 2, 'restarts');
    await client.call('containers.stop', { id, timeout: 1 });
    const stopped = await client.call('containers.inspect', { id });
    await new Promise((r) => setTimeout(r, 800));
    const later = await client.call('containers.inspect', { id });
    expect(later.state.status).toBe('exited');
    expect(later.restartCount).toBe(stopped.restartCount);
    await client.call('containers.remove', { id });
  });

  it('--rm removes the container once it exits, and wait still reports its code', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'sleep 0.3; exit 7'], autoRemove: true });
    await client.call('containers.start', { id });
    expect((await client.call('containers.wait', { id, condition: 'removed' })).exitCode).toBe(7);
    await expect(client.call('containers.inspect', { id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a wait that arrives after an --rm container is already gone still gets its exit code', async () => {
    const { id } = await client.call('containers.create', { rootfs, cmd: ['sh', '-c', 'exit 5'], autoRemove: true });
    await client.call('containers.start', { id });
    await until(() => client.call('containers.inspect', { id }).then(() => false, () => true), 'the --rm removal');
    expect((await client.call('containers.wait', { id, condition: 'not-running' })).exitCode).toBe(5);
    expect((await client.call('containers.wait', { id, condition: 'removed' })).exitCode).toBe(5);
  });
});

describe('attach', () => {
  it('start-attached sees all output, takes stdin and ends with the exit code', async () => {
    const { id } = await client.call('containers.create', { rootfs, openStdin: true, cmd: ['sh', '-c', 'echo first; read x; echo "got $x"; echo e >&2; exit 9'] });
    const out = collect(client.stream('containers.attach', { id, stdin: true, start: true }));
    await client.call('containers.write', { id, data: Buffer.from('line\n').toString('base64') });
    const chunks = await out;
    const text = (s: string) => chunks.filter((c) => c.stream === s).map((c) => Buffer.from(c.data, 'base64').toString()).join('');
    expect(text('stdout')).toBe('first\ngot line\n');
    expect(text('stderr')).toBe('e\n');
    expect(chunks.at(-1)).toMatchObject({ stream: 'exit', exitCode: 9 });
    await client.call('containers.remove', { id });
  });

  it("a detached -i container's stdin survives an attach that goes away", async () => {
    const { id } = await client.call('containers.create', { rootfs, openStdin: true, cmd: ['cat'] });
    await client.call('containers.start', { id });
    for (const word of ['one', 'two']) {
      const stream = client.stream('containers.attach', { id, stdin: true });
      const it = stream[Symbol.asyncIterator]();
      await client.call('containers.write', { id, data: Buffer.from(`${word}\n`).toString('base64') });
      const first = await it.next();
      expect(Buffer.from((first.value as { data: string }).data, 'base64').toString()).toBe(`${word}\n`);
      stream.cancel();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await client.call('containers.inspect', { id })).state.status).toBe('running');
    await client.call('containers.remove', { id, force: true });
  });

  it('a tty container gets a pty that can be resized', async () => {
    const { id } = await client.call('containers.create', { rootfs, tty: true, openStdin: true, cmd: ['sh', '-c', 'read x; stty size; tty'] });
    const out = collect(client.stream('containers.attach', { id, stdin: true, start: true }));
    await until(async () => (await client.call('containers.inspect', { id })).state.running, 'running');
    await client.call('containers.resize', { id, height: 33, width: 111 });
    await client.call('containers.write', { id, data: Buffer.from('go\r').toString('base64') });
    const text = (await out).filter((c) => c.stream === 'stdout').map((c) => Buffer.from(c.data, 'base64').toString()).join('');
    expect(text).toContain('33 111');
    expect(text).toMatch(/\/dev\/pts\/\d+/);
    await client.call('containers.remove', { id });
  });
});

describe('containers from an image', () => {
  it('runs on an overlay of the image layers with the image defaults, and unmounts on exit', async () => {
    const { ref, registry: reg } = await pullBusybox(client);
    try {
      // The image's Cmd is `sh`: give it a script through -c via cmd, keeping the image's PATH.
      const { id } = await client.call('containers.create', { image: ref, cmd: ['sh', '-c', 'echo $PATH; echo changed > /bin/marker; sleep 60'] });
      await client.call('containers.start', { id });
      const merged = path.join(engine.root, 'containers', id, 'rootfs');
      expect(isMounted(merged)).toBe(true);
      await until(async () => fs.existsSync(path.join(engine.root, 'containers', id, 'upper', 'bin', 'marker')), 'write to the upper dir');
      await expect(client.call('images.remove', { ref })).rejects.toMatchObject({ code: 'conflict' });
      await client.call('containers.kill', { id, signal: 'KILL' });
      await client.call('containers.wait', { id });
      expect(isMounted(merged)).toBe(false);
      const out = (await collect(client.stream('containers.logs', { id }))).map((l) => l.line);
      expect(out).toEqual(['/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
      // Restart remounts; removal unmounts and deletes the upper dir.
      await client.call('containers.start', { id });
      expect(isMounted(merged)).toBe(true);
      await client.call('containers.remove', { id, force: true });
      expect(isMounted(merged)).toBe(false);
      expect(fs.existsSync(path.join(engine.root, 'containers', id))).toBe(false);
    } finally {
      await reg.stop();
    }
  });
});
