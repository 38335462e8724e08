// A full disk under the engine root surfaces deep inside a pull or a load as ENOSPC from a write, SQLite's
// "database or disk is full", or a wrapper's message around either. This turns any of them into one error
// that names the disk and what to do.
import fsp from 'node:fs/promises';
import { EngineError } from '../api/errors';

const NO_SPACE = /ENOSPC|EDQUOT|no space left on device|disk quota exceeded|SQLITE_FULL|database or disk is full/i;

export function isNoSpace(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'SQLITE_FULL') return true;
  if (typeof e.message === 'string' && NO_SPACE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isNoSpace(e.cause);
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The error to show for a full disk under `root` while `doing` (e.g. "pulling busybox:latest"). */
export async function noSpaceError(root: string, doing: string): Promise<EngineError> {
  const space = await fsp.statfs(root).then(
    (s) => ` (${mb(s.bavail * s.bsize)} free of ${mb(s.blocks * s.bsize)})`,
    () => '',
  );
  return new EngineError(
    'unavailable',
    `no space left on ${root}${space} while ${doing}: nothing partial was kept; free space (fd image prune -a, fd system prune -a) or raise the size of the disk holding ${root}, then try again`,
  );
}
