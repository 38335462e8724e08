// Live resource usage of a container from the containers.stats stream (one sample a second). The stream
// lives as long as this tab: leaving it aborts the stream, which cancels the sampler in the engine. After
// "reconnecting" a new stream starts on the new connection.
import { useEffect, useState } from 'react';
import { useServices } from '../app';
import { formatBytes } from '../format';
import { sparkPoints, toPoint, type StatsPoint } from '../stats/rates';
import type { ContainerStatsSample } from '../../engine/api/container-stats';

/** Samples kept for the sparklines (a minute at one a second). */
const HISTORY = 60;

function Sparkline({ label, values, max }: { label: string; values: number[]; max?: number }) {
  return (
    <svg className="sparkline" role="img" aria-label={`${label} over the last ${values.length} seconds`} viewBox="0 0 120 30" width="120" height="30" preserveAspectRatio="none">
      <polyline fill="none" stroke="currentColor" strokeWidth="1.5" points={sparkPoints(values, 120, 30, max)} />
    </svg>
  );
}

function Metric({ name, value, values, max }: { name: string; value: string; values: number[]; max?: number }) {
  return (
    <div className="metric" role="group" aria-label={name}>
      <div className="metric-name">{name}</div>
      <div className="metric-value" data-metric={name}>
        {value}
      </div>
      <Sparkline label={name} values={values} max={max} />
    </div>
  );
}

/** Per-second rates from cumulative counters. */
function rates(points: StatsPoint[], pick: (p: StatsPoint) => number): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i]!.time - points[i - 1]!.time) / 1000;
    out.push(dt > 0 ? Math.max(0, pick(points[i]!) - pick(points[i - 1]!)) / dt : 0);
  }
  return out;
}

export function StatsTab({ id, running }: { id: string; running: boolean }) {
  const { connection } = useServices();
  const [points, setPoints] = useState<StatsPoint[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPoints([]);
    setError(null);
    // One stream per engine client: a reconnect (the engine restarted) starts a fresh one.
    let current: AbortController | null = null;
    const off = connection.onReady((client) => {
      current?.abort();
      const abort = new AbortController();
      current = abort;
      setError(null);
      void (async () => {
        let prev: ContainerStatsSample | null = null;
        try {
          for await (const sample of client.stream('containers.stats', { id, stream: true, intervalMs: 1000 }, { signal: abort.signal })) {
            const point = toPoint(prev, sample);
            prev = sample;
            setPoints((ps) => [...ps.slice(-(HISTORY - 1)), point]);
          }
        } catch (err) {
          if (!abort.signal.aborted) setError(err instanceof Error ? err.message : String(err));
        }
      })();
    });
    return () => {
      off();
      current?.abort();
    };
    // A restart of the container (running flips) starts a fresh stream.
  }, [connection, id, running]);

  const last = points.at(-1);
  const stopped = error ? <p role="alert">Stats stopped: {error}</p> : null;
  if (!last) return stopped ?? <p className="muted">Waiting for the first sample…</p>;
  const memPercent = last.memLimit > 0 ? (last.memUsage / last.memLimit) * 100 : 0;
  return (
    <div className="stats" role="region" aria-label="Resource usage">
      {stopped}
      {!running ? <p role="status">The container is not running: every counter is zero.</p> : null}
      <div className="metrics">
        <Metric name="CPU" value={`${last.cpuPercent.toFixed(1)} %`} values={points.map((p) => p.cpuPercent)} />
        <Metric
          name="Memory"
          value={`${formatBytes(last.memUsage)} / ${formatBytes(last.memLimit)} (${memPercent.toFixed(1)} %)`}
          values={points.map((p) => p.memUsage)}
        />
        <Metric
          name="Network I/O"
          value={`${formatBytes(last.netRx)} received / ${formatBytes(last.netTx)} sent`}
          values={rates(points, (p) => p.netRx + p.netTx)}
        />
        <Metric
          name="Block I/O"
          value={`${formatBytes(last.blkRead)} read / ${formatBytes(last.blkWrite)} written`}
          values={rates(points, (p) => p.blkRead + p.blkWrite)}
        />
        <Metric name="PIDs" value={`${last.pids}${last.pidsLimit > 0 ? ` / ${last.pidsLimit}` : ''}`} values={points.map((p) => p.pids)} />
      </div>
    </div>
  );
}
