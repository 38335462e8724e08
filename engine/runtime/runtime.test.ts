// The pure parts of the runtime: the OCI spec, --user resolution, rlimits, runtime discovery; plus a real
// overlay mount of two layer dirs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpec, DEFAULT_CAPABILITIES, DEFAULT_PATH } from './spec';
import { resolveUser } from './users';
import { defaultRlimits, isAlive, processStartTime } from './host';
import { discoverRuntime } from './oci';
import { runtimeErrorMessage } from './conmon';
import { isMounted, mountOverlay, unmountOverlay } from './overlay';
import { tempRoot } from '../testing/engine';

const dir = tempRoot('fd-runtime-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rootfsWithUsers(): string {
  const r = path.join(dir, 'users-rootfs');
  fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(r, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
  fs.writeFileSync(path.join(r, 'etc/group'), 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nstaff:x:50:\n');
  return r;
}

describe('OCI spec', () => {
  const user = { uid: 0, gid: 0, additionalGids: [0], home: '/root' };
  const spec = buildSpec({ rootfs: '/r', args: ['sh'], env: ['A=1'], cwd: '/w', user, tty: true, hostname: 'h', rlimits: defaultRlimits(), resources: { memory: 1 << 26, cpus: 1.5, pidsLimit: 9 } }) as {
    process: { env: string[]; capabilities: { bounding: string[] }; rlimits: { type: string; hard: number }[]; terminal: boolean };
    linux: { namespaces: { type: string }[]; resources: { memory: { limit: number }; cpu: { quota: number; period: number }; pids: { limit: number } }; maskedPaths: string[]; readonlyPaths: string[] };
    mounts: { destination: string }[];
  };

  it("has docker's defaults: namespaces, capabilities, masked and read-only paths, mounts", () => {
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(spec.process.capabilities.bounding).toEqual(DEFAULT_CAPABILITIES);
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
    expect(spec.linux.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux.readonlyPaths).toContain('/proc/sys');
    expect(spec.mounts.map((m) => m.destination)).toEqual(expect.arrayContaining(['/proc', '/dev', '/dev/pts', '/dev/shm', '/sys', '/dev/mqueue']));
    expect(spec.process.env).toEqual([DEFAULT_PATH, 'A=1']);
    expect(spec.process.terminal).toBe(true);
  });

  it('derives resources and never raises nofile above the host hard limit', () => {
    expect(spec.linux.resources.memory.limit).toBe(1 << 26);
    expect(spec.linux.resources.cpu).toMatchObject({ quota: 150_000, period: 100_000 });
    expect(spec.linux.resources.pids.limit).toBe(9);
    const hard = Number(fs.readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\S+\s+(\S+)/)![1]);
    const nofile = spec.process.rlimits.find((r) => r.type === 'RLIMIT_NOFILE')!;
    expect(nofile.hard).toBe(Math.min(1_048_576, Number.isFinite(hard) ? hard : Infinity));
  });
});

describe('--user', () => {
  const r = rootfsWithUsers();
  it('resolves names, numbers and groups from the rootfs', () => {
    expect(resolveUser(r, undefined)).toMatchObject({ uid: 0, gid: 0, home: '/root' });
    expect(resolveUser(r, 'app')).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10], home: '/home/app' });
    expect(resolveUser(r, 'app:staff')).toMatchObject({ uid: 1000, gid: 50 });
    expect(resolveUser(r, '1234:5')).toMatchObject({ uid: 1234, gid: 5 });
    expect(resolveUser(r, '1000')).toMatchObject({ uid: 1000, gid: 1000 });
  });
  it('names an unknown user or group', () => {
    expect(() => resolveUser(r, 'ghost')).toThrow(/unable to find user ghost/);
    expect(() => resolveUser(r, 'app:ghosts')).toThrow(/unable to find group ghosts/);
  });
});

describe('runtime host facts', () => {
  it('tells a live process from a reused pid', () => {
    const start = processStartTime(process.pid);
    expect(isAlive(process.pid, start)).toBe(true);
    expect(isAlive(process.pid, `${start}1`)).toBe(false);
    expect(isAlive(0, null)).toBe(false);
  });
  it('names a missing runtime binary', () => {
    expect(() => discoverRuntime('/tmp/x', { FD_RUNTIME: 'no-such-runtime', PATH: '/usr/bin' })).toThrow(/no-such-runtime.*not found/);
    expect(discoverRuntime('/tmp/x', { PATH: process.env.PATH }).globalArgs()).toEqual(['--root', '/tmp/x']);
  });
  it("turns runc's logrus output into one sentence", () => {
    const raw = 'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"x\\": executable file not found in $PATH"';
    expect(runtimeErrorMessage(raw)).toBe('exec: "x": executable file not found in $PATH');
  });
});

describe('overlay rootfs', () => {
  it('mounts layers topmost first with a private upper dir, and unmounts', async () => {
    const lower1 = path.join(dir, 'layers', 'bottom');
    const lower2 = path.join(dir, 'layers', 'top');
    fs.mkdirSync(lower1, { recursive: true });
    fs.mkdirSync(lower2, { recursive: true });
    fs.writeFileSync(path.join(lower1, 'a'), 'bottom');
    fs.writeFileSync(path.join(lower1, 'b'), 'bottom');
    fs.writeFileSync(path.join(lower2, 'a'), 'top');
    const container = path.join(dir, 'c1');
    const merged = await mountOverlay(container, [lower2, lower1]);
    try {
      expect(isMounted(merged)).toBe(true);
      expect(fs.readFileSync(path.join(merged, 'a'), 'utf8')).toBe('top');
      expect(fs.readFileSync(path.join(merged, 'b'), 'utf8')).toBe('bottom');
      fs.writeFileSync(path.join(merged, 'new'), 'x');
      expect(fs.existsSync(path.join(container, 'upper', 'new'))).toBe(true);
      expect(fs.existsSync(path.join(lower1, 'new'))).toBe(false);
    } finally {
      await unmountOverlay(container);
    }
    expect(isMounted(merged)).toBe(false);
  });

  it('a volatile overlay (--rm) mounts again after a clean unmount, keeping its upper dir', async () => {
    const lower = path.join(dir, 'layers', 'v');
    fs.mkdirSync(lower, { recursive: true });
    const container = path.join(dir, 'c2');
    for (const round of [1, 2]) {
      const merged = await mountOverlay(container, [lower], { volatile: true });
      try {
        expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toMatch(new RegExp(`${merged} .*volatile`));
        if (round === 1) fs.writeFileSync(path.join(merged, 'kept'), 'x');
        else expect(fs.readFileSync(path.join(merged, 'kept'), 'utf8')).toBe('x');
      } finally {
        await unmountOverlay(container);
      }
    }
  });
});
