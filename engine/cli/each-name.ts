import type { CliContext } from './command';

/**
 * Runs `fn` for every name of a multi-name command (`rm A B`, `inspect A B`) the way docker does: a failure
 * prints `Error: …` and the other names still run. Returns what succeeded, and exit code 1 if anything failed.
 */
export async function forEachName<T>(ctx: CliContext, names: string[], fn: (name: string) => Promise<T>): Promise<{ results: T[]; code: number }> {
  const results: T[] = [];
  let code = 0;
  for (const name of names) {
    try {
      results.push(await fn(name));
    } catch (err) {
      ctx.io.stderr.write(`Error: ${(err as Error).message}\n`);
      code = 1;
    }
  }
  return { results, code };
}
