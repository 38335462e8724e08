// Volumes through the real contract path (engine host on a temp root, unix-socket client, SQLite): names,
// labels, filters, in-use protection against created (never started) containers, rm -v, prune, events, and
// the bind checks done at create. No container is started here: engine/containers/mounts.test.ts does that.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFd, startTestEngine, type TestEngine } from '../testing/engine';
import { busyboxRootfs, closeTestEngine, type BusyboxRootfs } from '../testing/fixtures';
import type { EngineClient } from '../api/client';
import { ANONYMOUS_VOLUME_LABEL } from '../api/volumes';
import { hostPropagation } from '../containers/mounts';
import { openStore } from '../store/db';

let engine: TestEngine;
let client: EngineClient;
let box: BusyboxRootfs;
let fixtures: string;
let rootfs: string;

beforeAll(async () => {
  box = busyboxRootfs('fd-vol-fixture-');
  ({ work: fixtures, rootfs } = box);
  engine = await startTestEngine();
  client = engine.client;
});

afterAll(async () => {
  await closeTestEngine(engine);
  box?.remove();
});

const volumeEvents = (name: string) =>
  engine.host.engine.ctx.events
    .list({ limit: 1000 })
    .filter((e) => e.type === 'volume' && e.actor.id === name)
    .reverse()
    .map((e) => e.action);

const names = async (filters = {}) => (await client.call('volumes.list', { filters })).map((v) => v.name);

describe('volumes', () => {
  it('creates a named volume under ROOT/volumes/NAME/_data with labels; creating it again returns it unchanged', async () => {
    const v = await client.call('volumes.create', { name: 'appdata', labels: { team: 'a' } });
    expect(v).toMatchObject({ name: 'appdata', driver: 'local', scope: 'local', labels: { team: 'a' }, anonymous: false, containers: [] });
    expect(v.mountpoint).toBe(path.join(engine.root, 'volumes', 'appdata', '_data'));
    expect(fs.statSync(v.mountpoint).isDirectory()).toBe(true);
    fs.writeFileSync(path.join(v.mountpoint, 'keep'), 'x');
    const again = await client.call('volumes.create', { name: 'appdata' });
    expect(again.created).toBe(v.created);
    expect(fs.readFileSync(path.join(v.mountpoint, 'keep'), 'utf8')).toBe('x');
    expect(await client.call('volumes.inspect', { name: 'appdata' })).toEqual(v);
    expect(volumeEvents('appdata')).toEqual(['create']);
    await client.call('volumes.remove', { name: 'appdata' });
  });

  it('refuses bad names, other drivers and driver options with the reason, creating nothing', async () => {
    const before = fs.readdirSync(path.join(engine.root, 'volumes'));
    await expect(client.call('volumes.create', { name: 'a/b' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('cannot be a path') });
    await expect(client.call('volumes.create', { name: '..' })).rejects.toThrow(/must not contain "\.\."/);
    await expect(client.call('volumes.create', { name: 'x..y' })).rejects.toThrow(/must not contain "\.\."/);
    await expect(client.call('volumes.create', { name: 'x' })).rejects.toThrow(/at least 2 characters/);
    await expect(client.call('volumes.create', { name: '-dash' })).rejects.toThrow(/invalid characters/);
    await expect(client.call('volumes.create', { name: 'ok1', driver: 'nfs' })).rejects.toThrow(/driver "nfs" is not supported/);
    await expect(client.call('volumes.create', { name: 'ok2', options: { type: 'tmpfs' } })).rejects.toThrow(/takes no options/);
    expect(fs.readdirSync(path.join(engine.root, 'volumes'))).toEqual(before);
  });

  it('anonymous volumes get a 64-hex name and the anonymous label', async () => {
    const v = await client.call('volumes.create', {});
    expect(v.name).toMatch(/^[0-9a-f]{64}$/);
    expect(v.labels).toEqual({ [ANONYMOUS_VOLUME_LABEL]: '' });
    expect(v.anonymous).toBe(true);
    await client.call('volumes.remove', { name: v.name });
  });

  it('refuses to remove a volume any container references (running or not) and changes nothing', async () => {
    const vol = await client.call('volumes.create', { name: 'busy' });
    fs.writeFileSync(path.join(vol.mountpoint, 'data'), 'precious');
    const { id } = await client.call('containers.create', { name: 'holder', rootfs, cmd: ['true'], mounts: [{ type: 'volume', source: 'busy', target: '/data' }] });
    expect((await client.call('volumes.inspect', { name: 'busy' })).containers).toEqual([id]);
    for (const force of [false, true]) {
      await expect(client.call('volumes.remove', { name: 'busy', force })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining(`volume is in use by container ${id.slice(0, 12)}`),
      });
    }
    expect(fs.readFileSync(path.join(vol.mountpoint, 'data'), 'utf8')).toBe('precious');
    expect(await names({ dangling: false })).toContain('busy');
    expect(await names({ dangling: true })).not.toContain('busy');
    const inspected = await client.call('containers.inspect', { id });
    expect(inspected.mounts).toEqual([{ type: 'volume', name: 'busy', source: vol.mountpoint, destination: '/data', driver: 'local', mode: '', rw: true, propagation: '' }]);
    // rm -v removes anonymous volumes only: a named one stays.
    await client.call('containers.remove', { id, volumes: true });
    expect(await names()).toContain('busy');
    await client.call('volumes.remove', { name: 'busy' });
    expect(fs.existsSync(path.join(engine.root, 'volumes', 'busy'))).toBe(false);
    expect(volumeEvents('busy')).toEqual(['create', 'destroy']);
    await expect(client.call('volumes.remove', { name: 'busy' })).rejects.toMatchObject({ code: 'not_found', message: 'No such volume: busy' });
    await client.call('volumes.remove', { name: 'busy', force: true });
  });

  it('a mount names a volume that does not exist yet: it is created; -v /path gets an anonymous one that rm -v removes', async () => {
    const { id } = await client.call('containers.create', {
      rootfs,
      cmd: ['true'],
      mounts: [
        { type: 'volume', source: 'ondemand', target: '/a' },
        { type: 'volume', source: '', target: '/b' },
      ],
    });
    const mounts = (await client.call('containers.inspect', { id })).mounts;
    const anon = mounts.find((m) => m.destination === '/b')!.name;
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect((await client.call('volumes.inspect', { name: 'ondemand' })).containers).toEqual([id]);
    await client.call('containers.remove', { id, volumes: true });
    expect(await names()).toContain('ondemand');
    expect(await names()).not.toContain(anon);
    expect(volumeEvents(anon)).toEqual(['create', 'destroy']);
    await client.call('volumes.remove', { name: 'ondemand' });
  });

  it('lists with dangling, label and name filters; prune removes unused anonymous volumes unless all', async () => {
    await client.call('volumes.create', { name: 'keep-me', labels: { env: 'prod' } });
    await client.call('volumes.create', { name: 'scratch', labels: { env: 'dev' } });
    const { id } = await client.call('containers.create', { rootfs, cmd: ['true'], mounts: [{ type: 'volume', source: '', target: '/x' }] });
    const anonInUse = (await client.call('containers.inspect', { id })).mounts[0]!.name;
    await client.call('containers.remove', { id }); // without -v: the anonymous volume stays, now unused
    const { id: holder } = await client.call('containers.create', { rootfs, cmd: ['true'], mounts: [{ type: 'volume', source: '', target: '/y' }] });
    const stillUsed = (await client.call('containers.inspect', { id: holder })).mounts[0]!.name;

    expect(await names({ label: ['env=prod'] })).toEqual(['keep-me']);
    expect(await names({ label: ['env'] })).toEqual(['keep-me', 'scratch']);
    expect(await names({ name: ['scr'] })).toEqual(['scratch']);
    expect(await names({ dangling: false })).toEqual([stillUsed]);

    const first = await client.call('volumes.prune', {});
    expect(first.removed).toEqual([anonInUse]);
    expect(await names()).toEqual(expect.arrayContaining(['keep-me', 'scratch', stillUsed]));
    const labelled = await client.call('volumes.prune', { all: true, filters: { label: ['env=dev'] } });
    expect(labelled.removed).toEqual(['scratch']);
    fs.writeFileSync(path.join(engine.root, 'volumes', 'keep-me', '_data', 'f'), '12345');
    expect((await client.call('volumes.list', { filters: { name: ['keep-me'] }, usage: true }))[0]!.size).toBe(5);
    const all = await client.call('volumes.prune', { all: true });
    expect(all.removed).toEqual(['keep-me']);
    expect(all.spaceReclaimed).toBe(5);
    expect(await names()).toEqual([stillUsed]);
    await client.call('containers.remove', { id: holder, volumes: true });
    expect(await names()).toEqual([]);
  });
});

describe('mount checks at create', () => {
  it('refuses relative binds, / itself, the engine root and symlinks into it, creating no container and no volume', async () => {
    const link = path.join(fixtures, 'sneaky');
    fs.symlinkSync(path.join(engine.root, 'containers'), link);
    const cases: [string, string, RegExp][] = [
      ['relative', 'srv/www', /is not an absolute path/],
      ['root', '/', /host's root directory/],
      ['engine root', engine.root, /inside the engine's data root/],
      ['engine volume dir', path.join(engine.root, 'volumes'), /inside the engine's data root/],
      ['symlink into the root', path.join(link, 'x'), /resolves inside the engine's data root/],
    ];
    const volumesBefore = await names();
    for (const [what, source, message] of cases) {
      const create = client.call('containers.create', {
        name: `bad-${what.replace(/ /g, '-')}`,
        rootfs,
        cmd: ['true'],
        mounts: [
          { type: 'volume', source: '', target: '/anon' },
          { type: 'bind', source, target: '/mnt', createHostPath: true },
        ],
      });
      await expect(create, what).rejects.toThrow(message);
    }
    expect(await client.call('containers.list', { all: true })).toEqual([]);
    expect(await names()).toEqual(volumesBefore);
    expect(fs.existsSync(path.join(engine.root, 'containers', 'x'))).toBe(false);
  });

  it('--mount refuses a missing bind source; -v accepts it; duplicate targets and bad names are refused', async () => {
    const missing = path.join(fixtures, 'not-yet');
    await expect(client.call('containers.create', { rootfs, cmd: ['true'], mounts: [{ type: 'bind', source: missing, target: '/m' }] })).rejects.toThrow(
      `bind source path does not exist: ${missing}`,
    );
    const { id } = await client.call('containers.create', { rootfs, cmd: ['true'], mounts: [{ type: 'bind', source: missing, target: '/m', createHostPath: true }] });
    await client.call('containers.remove', { id });
    await expect(
      client.call('containers.create', {
        rootfs,
        cmd: ['true'],
        mounts: [
          { type: 'tmpfs', target: '/m' },
          { type: 'tmpfs', target: '/m/' },
        ],
      }),
    ).rejects.toThrow('Duplicate mount point: /m');
    await expect(client.call('containers.create', { rootfs, cmd: ['true'], mounts: [{ type: 'volume', source: 'no/slash', target: '/m' }] })).rejects.toThrow(/cannot be a path/);
  });

  it('shared propagation needs a shared host mount, as docker checks', async () => {
    const shared = { rootfs, cmd: ['true'], mounts: [{ type: 'bind' as const, source: fixtures, target: '/m', bindPropagation: 'rshared' as const }] };
    if (hostPropagation(fixtures) === 'shared') {
      await client.call('containers.remove', { id: (await client.call('containers.create', shared)).id });
    } else {
      await expect(client.call('containers.create', shared)).rejects.toThrow(`needs ${fixtures} to be on a shared mount`);
    }
  });
});

describe('fd volume', () => {
  const fd = (...args: string[]) => runFd(['--root', engine.root, 'volume', ...args]);

  it('create, ls, inspect, rm and prune as a user types them', async () => {
    expect(await fd('create', '--label', 'k=v', 'clivol')).toMatchObject({ code: 0, stdout: 'clivol\n' });
    const ls = await fd('ls');
    expect(ls.stdout).toMatch(/^DRIVER\s+VOLUME NAME\nlocal\s+clivol\n$/);
    expect((await fd('ls', '-q', '--filter', 'label=k=v')).stdout).toBe('clivol\n');
    const [info] = JSON.parse((await fd('inspect', 'clivol')).stdout) as { name: string; labels: object }[];
    expect(info).toMatchObject({ name: 'clivol', labels: { k: 'v' } });
    expect((await fd('inspect', '-f', '{{.Mountpoint}}', 'clivol')).stdout).toBe(`${path.join(engine.root, 'volumes', 'clivol', '_data')}\n`);
    expect((await fd('ls', '--format', '{{.Name}} {{.Driver}}')).stdout).toBe('clivol local\n');
    const bad = await fd('create', 'bad/name');
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('cannot be a path');
    const prune = await fd('prune', '-f', '-a');
    expect(prune.stdout).toBe('Deleted Volumes:\nclivol\n\nTotal reclaimed space: 0B\n');
    const rm = await fd('rm', 'clivol');
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('No such volume: clivol');
  });

  it('fd create -v/--mount/--tmpfs/--read-only reach the container; fd rm -v removes its anonymous volume', async () => {
    const host = path.join(fixtures, 'clihost');
    const created = await runFd(
      ['--root', engine.root, 'create', '--name', 'cliuser', '--rootfs', rootfs, '--read-only', '-v', 'clinamed:/a', '-v', `${host}:/b:ro`, '-v', '/anon',
        '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m', '--tmpfs', '/u:mode=700', 'true'],
    );
    expect(created.stderr).toBe('');
    const c = await client.call('containers.inspect', { id: 'cliuser' });
    expect(c.config.readOnlyRootfs).toBe(true);
    expect(c.mounts.map((m) => [m.type, m.destination, m.rw, m.type === 'bind' ? m.source : m.name])).toEqual([
      ['volume', '/a', true, 'clinamed'],
      ['bind', '/b', false, host],
      ['volume', '/anon', true, expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['tmpfs', '/t', true, ''],
      ['tmpfs', '/u', true, ''],
    ]);
    const bad = await runFd(['--root', engine.root, 'create', '--rootfs', rootfs, '-v', 'rel/dir:/x', 'true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('A host directory needs an absolute path');
    expect(await runFd(['--root', engine.root, 'rm', '-v', 'cliuser'])).toMatchObject({ code: 0 });
    expect(await names()).toEqual(['clinamed']);
    await client.call('volumes.remove', { name: 'clinamed' });
  });
});

describe('after a crash', () => {
  it('an engine start adopts volume dirs without a record, finishes interrupted removals and drops mount rows of unknown containers', async () => {
    const own = await startTestEngine();
    try {
      await own.client.call('volumes.create', { name: 'kept' });
      const volumes = path.join(own.root, 'volumes');
      await own.close();
      // What a SIGKILL can leave: a dir whose row never landed, a half-removed dir, a mount row of no container.
      fs.mkdirSync(path.join(volumes, 'orphan', '_data'), { recursive: true });
      fs.writeFileSync(path.join(volumes, 'orphan', '_data', 'f'), 'x');
      fs.mkdirSync(path.join(volumes, '.removing-gone', '_data'), { recursive: true });
      const store = openStore(path.join(own.root, 'store.db'));
      store.prepare("INSERT INTO container_mounts(container_id, destination, type, volume, spec) VALUES ('feed', '/k', 'volume', 'kept', '{}')").run();
      store.close();
      const again = await startTestEngine({ root: own.root });
      try {
        const listed = await again.client.call('volumes.list', {});
        expect(listed.map((v) => [v.name, v.anonymous])).toEqual([
          ['kept', false],
          ['orphan', false],
        ]);
        expect(fs.readFileSync(path.join(listed[1]!.mountpoint, 'f'), 'utf8')).toBe('x');
        expect(fs.readdirSync(volumes).sort()).toEqual(['kept', 'orphan']);
        expect(listed[0]!.containers).toEqual([]);
        await again.client.call('volumes.remove', { name: 'kept' });
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(own.root, { recursive: true, force: true });
    }
  });
});
