// What `fd image prune` and `fd system prune` share: docker's confirmation prompt and its report of deleted images.
import type { CliContext } from './command';
import { formatBytes } from './format';

/** Asks `warning` + "Are you sure…" on a terminal stdin unless forced; true when the prune may go ahead. */
export async function confirmPrune(ctx: CliContext, force: boolean, warning: string): Promise<boolean> {
  if (force || !(ctx.io.stdin as NodeJS.ReadStream).isTTY) return true;
  ctx.io.stderr.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    ctx.io.stdin.once('data', (d: Buffer) => resolve(d.toString().trim()));
    ctx.io.stdin.resume();
  });
  ctx.io.stdin.pause();
  return /^y(es)?$/i.test(answer);
}

/** docker's prune report: the deleted image ids (if any) and the space reclaimed. */
export function writePruned(out: NodeJS.WritableStream, result: { deleted: string[]; spaceReclaimed: number }): void {
  if (result.deleted.length) {
    out.write('Deleted Images:\n');
    for (const id of result.deleted) out.write(`deleted: ${id}\n`);
    out.write('\n');
  }
  out.write(`Total reclaimed space: ${formatBytes(result.spaceReclaimed)}\n`);
}
