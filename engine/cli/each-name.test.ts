// Multi-name commands (`fd volume rm a b c`): one bad name is reported and the others still run.
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import type { CliContext } from './command';
import { forEachName } from './each-name';

it('runs every name in order, reports each failure as "Error: …" and exits 1 only when one failed', async () => {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ctx = { io: { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {} } } as unknown as CliContext;
  const seen: string[] = [];
  const r = await forEachName(ctx, ['a', 'missing', 'c'], async (name) => {
    seen.push(name);
    if (name === 'missing') throw new Error(`No such volume: ${name}`);
    return name.toUpperCase();
  });
  expect(seen).toEqual(['a', 'missing', 'c']);
  expect(r).toEqual({ results: ['A', 'C'], code: 1 });
  expect(err).toBe('Error: No such volume: missing\n');
  expect(await forEachName(ctx, ['a'], async (n) => n)).toEqual({ results: ['a'], code: 0 });
});
