// Property tests for container path resolution (docker cp, fd cp, file browsing): random path strings over
// random symlink layouts (absolute and relative targets, `..` climbs, loops, links into and out of mounts)
// never resolve to a host path outside the container's root or its mount sources, and fail only cleanly.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../api/errors';
import { hostPathOf, resolveInRoot, resolveRequested, type RootView } from './files-path';
import { resolveInRoot as resolveMountTarget } from './mounts';

let base: string;
let n = 0;
const made: string[] = [];
/** Removes each run's tree as it ends (thousands of small trees pile up and slow the machine down). */
const cleanup = () => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
};
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-files-path-fuzz-'));
  // Bait next to the roots: a resolution that escapes would land on these.
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(base, 'outside/secret'), 'host\n');
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const names = fc.constantFrom('a', 'b', 'c', 'etc', 'mnt', 'l1', 'l2', '..', '.', 'outside', 'secret', 'x y', 'é');
const relPath = fc.array(names, { minLength: 0, maxLength: 6 }).map((p) => p.join('/'));
const anyPath = fc.oneof(
  relPath,
  relPath.map((p) => `/${p}`),
  relPath.map((p) => `${p}/`),
  relPath.map((p) => `/${p}/.`),
  fc.string({ maxLength: 16 }),
  fc.constantFrom('/../../outside/secret', '../outside', '/mnt/../../outside', '//..//..', ''),
);
const linkTarget = fc.oneof(anyPath, fc.constantFrom('/', '..', '../..', '../../outside/secret', '/proc/self/root', '/mnt', 'l1', 'l2', '/l1'));
const layout = fc.record({
  links: fc.array(fc.tuple(fc.constantFrom('l1', 'l2', 'a/l1', 'a/b/l2', 'c', 'mnt/l1', 'etc'), linkTarget), { maxLength: 5 }),
  mounted: fc.boolean(),
  mountLinks: fc.array(fc.tuple(fc.constantFrom('m1', 'd/m2'), linkTarget), { maxLength: 2 }),
});

type Layout = { links: [string, string][]; mounted: boolean; mountLinks: [string, string][] };

function build(l: Layout): RootView {
  const dir = path.join(base, `r${n++}`);
  made.push(dir);
  const root = path.join(dir, 'root');
  const src = path.join(dir, 'vol');
  for (const d of ['a/b', 'etc', 'mnt']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.mkdirSync(path.join(src, 'd'), { recursive: true });
  fs.writeFileSync(path.join(root, 'a/file'), 'f');
  for (const [at, target] of l.links) {
    try {
      fs.symlinkSync(target, path.join(root, at));
    } catch {
      // the name is taken by an earlier link or a directory: keep what is there
    }
  }
  for (const [at, target] of l.mountLinks) {
    try {
      fs.symlinkSync(target, path.join(src, at));
    } catch {
      // as above
    }
  }
  return { root, mounts: l.mounted ? [{ target: '/mnt', source: src, readOnly: false }] : [] };
}

const inside = (dir: string, p: string) => {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

function check(view: RootView, run: () => ReturnType<typeof resolveInRoot>) {
  let r;
  try {
    r = run();
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    expect(['invalid', 'not_found']).toContain(err.code);
    return;
  }
  expect(r.path.startsWith('/')).toBe(true);
  // A missing component keeps the rest of the request as given (`/gone/..`): only found paths are normalised.
  if (r.stat) expect(path.posix.normalize(r.path)).toBe(r.path);
  const allowed = [view.root, ...view.mounts.map((m) => m.source)];
  expect(allowed.some((d) => inside(d, r.host)), `${r.host} escapes ${allowed.join(', ')}`).toBe(true);
  // The host path is the one the container path names, so callers may act on either. (When a directory on the
  // way is missing, host is that first missing directory: extractTar creates them one at a time.)
  if (r.stat) expect(hostPathOf(view, r.path).host).toBe(r.host);
  // Everything above the final component exists inside: follow it with the kernel and stay inside.
  const parent = path.dirname(r.host);
  if (!allowed.includes(r.host) && fs.existsSync(parent)) {
    const real = fs.realpathSync(parent);
    expect(allowed.some((d) => inside(fs.realpathSync(d), real)), `${real} escapes`).toBe(true);
  }
}

describe('resolveInRoot fuzz', () => {
  test('random paths over random symlink layouts stay inside the root and its mounts', () => {
    fc.assert(
      fc.property(layout, fc.array(fc.tuple(anyPath, fc.boolean()), { minLength: 1, maxLength: 6 }), (l, paths) => {
        const view = build(l);
        for (const [p, followLast] of paths) {
          check(view, () => resolveInRoot(view, p, followLast));
          check(view, () => resolveRequested(view, p));
        }
        // A plain string root behaves as a view without mounts.
        for (const [p] of paths) check({ root: view.root, mounts: [] }, () => resolveInRoot(view.root, p, true));
      }).afterEach(cleanup),
      { numRuns: 100 },
    );
  });

  test('with followLast the answer is never itself a symlink', () => {
    fc.assert(
      fc.property(layout, anyPath, (l, p) => {
        const view = build(l);
        try {
          const r = resolveInRoot(view, p, true);
          if (r.stat) expect(r.stat.isSymbolicLink()).toBe(false);
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
        }
      }).afterEach(cleanup),
      { numRuns: 80 },
    );
  });

  // The mount setup has its own resolver for targets in the image's rootfs (mounts.ts): same property.
  test('mount targets resolve inside the rootfs', () => {
    fc.assert(
      fc.property(layout, anyPath, (l, p) => {
        const { root } = build({ ...l, mounted: false });
        let host: string;
        try {
          host = resolveMountTarget(root, p);
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          return;
        }
        expect(inside(root, host), `${host} escapes ${root}`).toBe(true);
        let existing = host;
        while (!fs.existsSync(existing)) existing = path.dirname(existing);
        expect(inside(fs.realpathSync(root), fs.realpathSync(existing)), `${existing} escapes`).toBe(true);
      }).afterEach(cleanup),
      { numRuns: 80 },
    );
  });
});
