// Restart policies (docker's semantics): whether a container that died is started again, and after how long.
import type { ContainerRecord } from './record';

/** Docker's backoff: 100 ms doubling per consecutive restart, capped at one minute; reset after 10 s of running. */
export function restartDelay(consecutive: number): number {
  return Math.min(60_000, 100 * 2 ** Math.max(0, consecutive));
}

export const RESET_AFTER_MS = 10_000;

/** After a die the engine saw (or found at reconcile). */
export function shouldRestart(rec: ContainerRecord): boolean {
  const policy = rec.config.restartPolicy;
  if (rec.state.stoppedByUser || rec.config.autoRemove) return false;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return rec.state.exitCode !== 0 && (policy.maximumRetryCount === 0 || rec.state.restartCount < policy.maximumRetryCount);
    default:
      return false;
  }
}

/**
 * When the engine starts: `always` comes back even after a user stop; `unless-stopped` and `on-failure` as
 * their rule says (this also resumes a restart whose backoff timer died with the previous engine).
 */
export function restartOnEngineStart(rec: ContainerRecord): boolean {
  if (rec.state.status !== 'exited' || rec.config.autoRemove || rec.state.startedAt === 0) return false;
  if (rec.config.restartPolicy.name === 'always') return true;
  return shouldRestart(rec);
}
