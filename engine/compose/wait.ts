// Waiting on a service's containers for a depends_on condition or `up --wait`: healthy (by its health
// check), completed successfully (exit 0), or just running. A failure names the container and why, with the
// last health check output, so the user sees what to fix.
import { EngineError } from '../api/errors';
import type { ContainerInspect } from '../api/containers';
import type { EngineLink } from './link';

const POLL_MS = 200;
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function lastProbe(c: ContainerInspect): string {
  const last = c.state.health?.log.at(-1);
  if (!last) return 'no health check has run yet';
  return `last health check exited ${last.exitCode}${last.output.trim() ? `: ${last.output.trim()}` : ''}`;
}

/** How long a health check may take to turn healthy: its start period plus `retries` full rounds, with room. */
function healthBudgetMs(c: ContainerInspect): number {
  const h = c.config.healthcheck;
  if (!h) return 120_000;
  const interval = h.intervalMs ?? 30_000;
  const timeout = h.timeoutMs ?? 30_000;
  return (h.startPeriodMs ?? 0) + (interval + timeout) * ((h.retries ?? 3) + 1) + 10_000;
}

export async function waitHealthy(link: EngineLink, service: string, container: string, timeoutMs?: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (link.signal.aborted) throw new EngineError('cancelled', 'compose up cancelled');
    const c = await link.call('containers.inspect', { id: container });
    if (!c.state.health) throw new EngineError('conflict', `container ${container} of service "${service}" has no health check: service_healthy needs one (add a healthcheck to "${service}")`);
    if (c.state.health.status === 'healthy') return;
    if (c.state.health.status === 'unhealthy') throw new EngineError('conflict', `dependency failed to start: container ${container} of service "${service}" is unhealthy (${lastProbe(c)})`);
    if (!c.state.running) throw new EngineError('conflict', `dependency failed to start: container ${container} of service "${service}" exited (${c.state.exitCode}) before it was healthy`);
    const budget = timeoutMs ?? healthBudgetMs(c);
    if (Date.now() - started > budget) {
      throw new EngineError('conflict', `service "${service}" did not become healthy within ${Math.round(budget / 1000)}s (${container}: ${lastProbe(c)})`);
    }
    await sleep(POLL_MS, link.signal);
  }
}

export async function waitCompleted(link: EngineLink, service: string, container: string, timeoutMs?: number): Promise<void> {
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  link.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, timeoutMs)
    : undefined;
  try {
    const { exitCode } = await link.call('containers.wait', { id: container }, abort.signal).catch((err: unknown) => {
      if (timedOut) throw new EngineError('conflict', `service "${service}" did not complete within ${Math.round(timeoutMs! / 1000)}s`);
      throw err;
    });
    if (exitCode !== 0) throw new EngineError('conflict', `service "${service}" didn't complete successfully: container ${container} exited with ${exitCode}`);
  } finally {
    clearTimeout(timer);
    link.signal.removeEventListener('abort', onAbort);
  }
}

/** `up --wait`: running, and healthy when it has a health check. */
export async function waitReady(link: EngineLink, service: string, container: string, timeoutMs = 300_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (link.signal.aborted) throw new EngineError('cancelled', 'compose up cancelled');
    const c = await link.call('containers.inspect', { id: container });
    if (!c.state.running) throw new EngineError('conflict', `container ${container} of service "${service}" exited (${c.state.exitCode})`);
    if (!c.state.health || c.state.health.status === 'healthy') return;
    if (c.state.health.status === 'unhealthy') throw new EngineError('conflict', `container ${container} of service "${service}" is unhealthy (${lastProbe(c)})`);
    if (Date.now() - started > timeoutMs) throw new EngineError('conflict', `container ${container} of service "${service}" is not healthy after ${Math.round(timeoutMs / 1000)}s (${lastProbe(c)})`);
    await sleep(POLL_MS, link.signal);
  }
}
