// `GET /containers/{id}/stats` onto containers.stats, in moby's StatsResponse shape (what `docker stats`
// decodes): cpu_stats with precpu_stats from the previous sample, memory_stats, pids_stats, blkio_stats, networks.
import type { ContainerStatsSample, CpuSample } from '../../api/container-stats';
import { EngineError } from '../../api/errors';
import type { Router } from '../router';
import { boolOr, sendJson } from '../http';
import { startStream, writeChunk } from '../streaming';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function cpuStats(c: CpuSample | null) {
  if (!c) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    cpu_usage: {
      total_usage: c.totalNs,
      ...(c.perCpuNs.length ? { percpu_usage: c.perCpuNs } : {}),
      usage_in_kernelmode: c.kernelNs,
      usage_in_usermode: c.userNs,
    },
    system_cpu_usage: c.systemNs,
    online_cpus: c.onlineCpus,
    throttling_data: { periods: c.periods, throttled_periods: c.throttledPeriods, throttled_time: c.throttledNs },
  };
}

/** One sample (and the one before it, for rates) → moby's StatsResponse. */
export function dockerStats(s: ContainerStatsSample, pre: ContainerStatsSample | null) {
  const blkio = s.blkio.map((b) => ({ major: b.major, minor: b.minor, op: s.cgroupVersion === '1' ? (b.op === 'read' ? 'Read' : 'Write') : b.op, value: b.value }));
  return {
    name: `/${s.name}`,
    id: s.id,
    read: s.running ? s.read : ZERO_TIME,
    preread: pre?.running ? pre.read : ZERO_TIME,
    pids_stats: s.running ? { current: s.pids.current, ...(s.pids.limit ? { limit: s.pids.limit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: s.running ? blkio : null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(s.running ? s.cpu : null),
    precpu_stats: cpuStats(pre?.running ? pre.cpu : null),
    memory_stats: s.running ? { usage: s.memory.usage, ...(s.memory.maxUsage ? { max_usage: s.memory.maxUsage } : {}), stats: s.memory.stats, limit: s.memory.limit } : {},
    ...(s.running
      ? {
          networks: Object.fromEntries(
            Object.entries(s.networks).map(([name, n]) => [
              name,
              { rx_bytes: n.rxBytes, rx_packets: n.rxPackets, rx_errors: n.rxErrors, rx_dropped: n.rxDropped, tx_bytes: n.txBytes, tx_packets: n.txPackets, tx_errors: n.txErrors, tx_dropped: n.txDropped },
            ]),
          ),
        }
      : {}),
  };
}

export function statsRoutes(router: Router) {
  router.add('GET', '/containers/{id}/stats', async ({ res, params, query, engine, signal }) => {
    const stream = boolOr(query, 'stream', true);
    const oneShot = boolOr(query, 'one-shot', false);
    // Like moby, a non-streaming answer waits for a second sample so precpu_stats gives a CPU %; one-shot does not.
    const samples = engine.stream('containers.stats', { id: params.id!, stream: stream || !oneShot });
    const it = samples[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) throw new EngineError('internal', `container ${params.id} gave no stats sample`);
    if (!stream) {
      let sample = first.value;
      let pre: ContainerStatsSample | null = null;
      if (!oneShot && sample.running) {
        const next = await it.next();
        if (!next.done) [pre, sample] = [sample, next.value];
      }
      samples.cancel();
      return sendJson(res, 200, dockerStats(sample, pre));
    }
    startStream(res, 'application/json');
    let pre: ContainerStatsSample | null = null;
    try {
      for (let r: IteratorResult<ContainerStatsSample> = first; !r.done; r = await it.next()) {
        if (!(await writeChunk(res, `${JSON.stringify(dockerStats(r.value, pre))}\n`)) || signal.aborted) return;
        pre = r.value;
      }
      res.end();
    } finally {
      samples.cancel();
    }
  });
}
