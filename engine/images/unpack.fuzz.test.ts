// Property tests for layer unpacking against hostile tars: random entry names (`..`, absolute, long/PAX),
// symlink chains pointing out of the layer (relative and absolute), hardlinks, files written through links.
// Whatever the tar holds, unpack succeeds or fails with a clean EngineError, and nothing outside the layer
// root is ever created or changed.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../api/errors';
import { tarOf, type TarEntry } from '../testing/image-builder';
import { snapshotTree } from '../testing/fs-snapshot';
import { unpackLayer } from './unpack';

let base: string;
let n = 0;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-unpack-fuzz-'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));


// Names are built from these; `BAIT` stands for the absolute path of a directory next to the layer root.
const part = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'l', 'm', 'f', '..', '.', '', 'outside', '.wh..wh..opq') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !s.includes('/') && !s.includes('\0')) },
  { weight: 1, arbitrary: fc.constant('n'.repeat(120)) },
);
const relName = fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
const name = fc.oneof({ weight: 5, arbitrary: relName }, { weight: 1, arbitrary: relName.map((r) => `/${r}`) }, { weight: 1, arbitrary: relName.map((r) => `./${r}/`) });
const target = fc.oneof(relName, relName.map((r) => `/${r}`), fc.constantFrom('BAIT', 'BAIT/x', '../outside', '../../..', '/', '.', 'l', 'l/m'));

const entry: fc.Arbitrary<TarEntry> = fc.oneof(
  name.map((p) => ({ path: p, type: 'directory' as const })),
  fc.tuple(name, fc.string({ maxLength: 8 })).map(([p, content]) => ({ path: p, type: 'file' as const, content })),
  fc.tuple(name, target).map(([p, linkname]) => ({ path: p, type: 'symlink' as const, linkname })),
  fc.tuple(name, target).map(([p, linkname]) => ({ path: p, type: 'link' as const, linkname })),
);
// Attacks that need an order: plant a link first, then write through it.
const throughLink = fc.tuple(fc.constantFrom('l', 'a/l'), target, relName, fc.constantFrom('file', 'directory', 'symlink', 'link')).map(([at, t, rest, type]): TarEntry[] => [
  { path: at, type: 'symlink', linkname: t },
  type === 'file' ? { path: `${at}/${rest}`, type, content: 'pwned' } : type === 'directory' ? { path: `${at}/${rest}`, type } : { path: `${at}/${rest}`, type, linkname: 'a' },
]);
const layer = fc.array(fc.oneof({ weight: 3, arbitrary: entry.map((e) => [e]) }, { weight: 1, arbitrary: throughLink }), { minLength: 1, maxLength: 6 }).map((groups) => groups.flat());


async function unpackOnce(entries: TarEntry[]): Promise<'ok' | 'error'> {
  const dir = path.join(base, `u${n++}`);
  const root = path.join(dir, 'root');
  const bait = path.join(dir, 'outside');
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(path.join(bait, 'x'), { recursive: true });
  fs.writeFileSync(path.join(bait, 'a'), 'host file');
  const concrete = entries.map((e) => ({ ...e, ...(e.linkname !== undefined ? { linkname: e.linkname.replace(/^BAIT/, bait) } : {}) }));
  const before = snapshotTree(dir);
  let outcome: 'ok' | 'error' = 'ok';
  try {
    await unpackLayer((async function* () { yield await tarOf(concrete); })(), root, { layer: 'sha256:fuzz' });
  } catch (err) {
    outcome = 'error';
    if (!(err instanceof EngineError)) throw new Error(`unclean failure for ${JSON.stringify(entries)}: ${(err as Error).stack}`, { cause: err });
  }
  const after = snapshotTree(dir);
  // Outside the root: exactly what was there.
  for (const [rel, what] of after) if (rel !== '' && rel !== 'root' && !rel.startsWith(`root${path.sep}`)) expect(before.get(rel), `${rel} appeared or changed outside the layer root (${outcome})`).toBe(what);
  for (const [rel, what] of before) if (rel !== '' && rel !== 'root' && !rel.startsWith(`root${path.sep}`)) expect(after.get(rel), `${rel} vanished or changed outside`).toBe(what);
  fs.rmSync(dir, { recursive: true, force: true });
  return outcome;
}

describe('unpackLayer fuzz', () => {
  test('hostile tars never write outside the layer root and fail only with EngineError', async () => {
    const seen = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(layer, async (entries) => {
        seen[await unpackOnce(entries)]++;
      }),
      { numRuns: 120 },
    );
    // Both sides were exercised: layers that unpack and layers that are refused.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.error).toBeGreaterThan(5);
  }, 60_000);

  test('known attacks are refused', async () => {
    for (const entries of [
      [{ path: '../evil', content: 'x' }],
      [{ path: '/abs', content: 'x' }],
      [{ path: 'l', type: 'symlink', linkname: '..' }, { path: 'l/evil', content: 'x' }],
      [{ path: 'l', type: 'symlink', linkname: 'BAIT' }, { path: 'l/a', content: 'x' }],
      [{ path: 'h', type: 'link', linkname: '../outside/a' }],
      [{ path: 'h', type: 'link', linkname: 'BAIT/a' }],
    ] as TarEntry[][]) {
      expect(await unpackOnce(entries), JSON.stringify(entries)).toBe('error');
    }
  });

  test('a long (PAX) name, a symlink chain and a hardlink inside the layer unpack', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    expect(
      await unpackOnce([
        { path: long, content: 'x' },
        { path: 'l1', type: 'symlink', linkname: 'l2' },
        { path: 'l2', type: 'symlink', linkname: '/etc/../..' },
        { path: 'h', type: 'link', linkname: long },
      ]),
    ).toBe('ok');
  });
});
