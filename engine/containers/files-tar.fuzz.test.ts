// Property tests for `docker cp` / `fd cp` uploads (PUT /containers/{id}/archive): a hostile tar extracted into
// a container root — `..` and absolute names, long/PAX names, symlinks planted in the tar or already in the
// container pointing out of it, hardlinks — succeeds or fails with an EngineError, and nothing outside the
// container root and its mount sources is ever created or changed.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../api/errors';
import { tarOf, type TarEntry } from '../testing/image-builder';
import { snapshotTree } from '../testing/fs-snapshot';
import { extractTar } from './files-tar';

let base: string;
let n = 0;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-cp-fuzz-'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));


const part = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'l', 'up', 'abs', 'vol', '..', '.', '', 'x') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !s.includes('/') && !s.includes('\0')) },
  { weight: 1, arbitrary: fc.constant('n'.repeat(120)) },
);
const relName = fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
const name = fc.oneof({ weight: 5, arbitrary: relName }, { weight: 1, arbitrary: relName.map((r) => `/${r}`) });
const target = fc.oneof(relName, relName.map((r) => `/${r}`), fc.constantFrom('BAIT', 'BAIT/x', '../outside', '../../..', '/', '.', 'up', 'abs/a'));
const entry: fc.Arbitrary<TarEntry> = fc.oneof(
  name.map((p) => ({ path: p, type: 'directory' as const })),
  fc.tuple(name, fc.string({ maxLength: 8 })).map(([p, content]) => ({ path: p, type: 'file' as const, content })),
  fc.tuple(name, target).map(([p, linkname]) => ({ path: p, type: 'symlink' as const, linkname })),
  fc.tuple(name, target).map(([p, linkname]) => ({ path: p, type: 'link' as const, linkname })),
);
const layer = fc.array(entry, { minLength: 1, maxLength: 6 });

/** A container root with links already pointing out of it, a mounted volume, and bait next to both. */
function container(): { dir: string; root: string; vol: string; bait: string } {
  const dir = path.join(base, `c${n++}`);
  const root = path.join(dir, 'root');
  const vol = path.join(dir, 'volume');
  const bait = path.join(dir, 'outside');
  for (const d of [root, path.join(root, 'a'), path.join(root, 'vol'), vol, path.join(bait, 'x')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(bait, 'a'), 'host file');
  fs.symlinkSync('../../..', path.join(root, 'up'));
  fs.symlinkSync(bait, path.join(root, 'abs'));
  fs.symlinkSync('../outside', path.join(vol, 'l'));
  return { dir, root, vol, bait };
}

async function extractOnce(entries: TarEntry[], dest: string): Promise<'ok' | 'error'> {
  const c = container();
  const concrete = entries.map((e) => ({ ...e, ...(e.linkname !== undefined ? { linkname: e.linkname.replace(/^BAIT/, c.bait) } : {}) }));
  const inside = (rel: string) => rel === 'root' || rel.startsWith(`root${path.sep}`) || rel === 'volume' || rel.startsWith(`volume${path.sep}`);
  const before = snapshotTree(c.dir);
  let outcome: 'ok' | 'error' = 'ok';
  try {
    const tar = await tarOf(concrete);
    await extractTar((async function* () { yield tar; })(), {
      root: { root: c.root, mounts: [{ target: '/vol', source: c.vol, readOnly: false }] },
      dest,
      owners: 'root',
      noOverwriteDirNonDir: false,
    });
  } catch (err) {
    if (!(err instanceof EngineError)) throw new Error(`unclean failure for ${JSON.stringify(entries)} into ${dest}: ${(err as Error).stack}`, { cause: err });
    outcome = 'error';
  }
  const after = snapshotTree(c.dir);
  for (const [rel, what] of after) if (rel !== '' && !inside(rel)) expect(before.get(rel), `${rel} appeared or changed outside the container (${outcome})`).toBe(what);
  for (const [rel, what] of before) if (rel !== '' && !inside(rel)) expect(after.get(rel), `${rel} vanished or changed outside`).toBe(what);
  fs.rmSync(c.dir, { recursive: true, force: true });
  return outcome;
}

describe('extractTar fuzz (docker cp uploads)', () => {
  test('hostile tars into any destination never touch the host outside the container', async () => {
    const seen = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(layer, fc.constantFrom('/', '/a', '/vol', '/up', '/abs', '/vol/l'), async (entries, dest) => {
        seen[await extractOnce(entries, dest)]++;
      }),
      { numRuns: 120 },
    );
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.error).toBeGreaterThan(5);
  }, 60_000);

  // Few names, so entries meet: `a` replaced (by a file or a link) after entries went through the link `l`
  // to it, then written through `l` again.
  test('tars that replace what earlier entries went through never touch the host outside the container', async () => {
    const few = fc.constantFrom('a', 'a/x', 'l/x', 'l/y', 'l/y/z');
    const meeting: fc.Arbitrary<TarEntry> = fc.oneof(
      few.map((p) => ({ path: p, type: 'directory' as const })),
      few.map((p) => ({ path: p, type: 'file' as const, content: 'x' })),
      fc.constant({ path: 'l', type: 'symlink' as const, linkname: 'a' }),
      fc.constantFrom('BAIT', '/', 'a', '..').map((linkname) => ({ path: 'a', type: 'symlink' as const, linkname })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(meeting, { minLength: 2, maxLength: 6 }), fc.constantFrom('/', '/a'), async (entries, dest) => {
        await extractOnce(entries, dest);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  // Regression (found by this suite): an empty symlink target failed with a bare ENOENT from symlink(2).
  test('a symlink with an empty target is refused by name', async () => {
    expect(await extractOnce([{ path: 'e', type: 'symlink', linkname: '' }], '/')).toBe('error');
    const c = container();
    const tar = await tarOf([{ path: 'e', type: 'symlink', linkname: '' }]);
    await expect(extractTar((async function* () { yield tar; })(), { root: c.root, dest: '/', owners: 'root', noOverwriteDirNonDir: false })).rejects.toThrow(/"e": a symlink with an empty target/);
  });

  // Regression (found by this suite): directory times were set at the end on the host path recorded when the
  // directory was made; a later entry that replaced it (or a parent) with a link out of the root made the
  // kernel follow the link and stamp a host directory's mtime.
  test.each([
    [[{ path: 'a/x', type: 'directory', mtime: new Date(0) }, { path: 'a', type: 'symlink', linkname: 'BAIT' }]],
    [[{ path: 'a/x', type: 'directory', mtime: new Date(0) }, { path: 'r', type: 'symlink', linkname: '/' }, { path: 'r/a', type: 'symlink', linkname: '../outside' }]],
    [[{ path: 'd/ ', type: 'directory' }, { path: 'd', content: '' }]],
    [[{ path: 'a/a', type: 'directory' }, { path: 'a', content: '' }]],
  ] as TarEntry[][][])('a directory replaced after it was made keeps the host untouched (%#)', async (entries) => {
    await extractOnce(entries, '/');
  });

  // Regression: directories resolved earlier were remembered by entry path, so replacing `a` (reached through
  // the link `l`) left `l` mapped to the old host path: a later `l/...` entry followed the planted link out of
  // the root, or failed with a raw ENOTDIR when a file took the directory's place.
  test.each([
    [[{ path: 'l', type: 'symlink', linkname: 'a' }, { path: 'l/x', type: 'directory' }, { path: 'a', type: 'symlink', linkname: 'BAIT' }, { path: 'l/y', type: 'directory' }]],
    [[{ path: 'l', type: 'symlink', linkname: 'a' }, { path: 'l/x', type: 'directory' }, { path: 'a', type: 'symlink', linkname: 'BAIT' }, { path: 'l/y', content: 'pwned' }]],
    [[{ path: 'l', type: 'symlink', linkname: 'a' }, { path: 'l/x', type: 'directory' }, { path: 'a', content: 'f' }, { path: 'l/y', type: 'directory' }]],
    [[{ path: 'r', type: 'symlink', linkname: '/' }, { path: 'r/a', type: 'symlink', linkname: 'BAIT' }, { path: 'y', content: 'pwned' }], '/a'],
  ] as [TarEntry[], string?][])('a directory resolved through a link and then replaced is looked up again (%#)', async (entries, dest = '/') => {
    await extractOnce(entries, dest);
  });

  test('known escapes are refused or stay inside', async () => {
    for (const entries of [
      [{ path: '../evil', content: 'x' }],
      [{ path: 'up/evil', content: 'x' }],
      [{ path: 'abs/a', content: 'pwned' }],
      [{ path: 'l', type: 'symlink', linkname: 'BAIT' }, { path: 'l/a', content: 'pwned' }],
      [{ path: 'h', type: 'link', linkname: 'BAIT/a' }],
      [{ path: 'vol/l/a', content: 'pwned' }],
    ] as TarEntry[][]) {
      await extractOnce(entries, '/');
    }
  });
});
