// docker stats arithmetic on the engine's cumulative samples: CPU % from two samples (Δcontainer / Δhost × CPUs),
// memory without the reclaimable page cache, and network / block I/O totals.
import type { ContainerStatsSample } from '../../engine/api/container-stats';

export interface StatsPoint {
  time: number;
  cpuPercent: number;
  memUsage: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
  pidsLimit: number;
}

export function cpuPercent(prev: ContainerStatsSample | null, cur: ContainerStatsSample): number {
  if (!prev || !cur.running) return 0;
  const dCpu = cur.cpu.totalNs - prev.cpu.totalNs;
  const dSystem = cur.cpu.systemNs - prev.cpu.systemNs;
  if (dCpu <= 0 || dSystem <= 0) return 0;
  return (dCpu / dSystem) * Math.max(1, cur.cpu.onlineCpus) * 100;
}

/** Usage minus inactive file cache, as docker stats shows it (v1 and v2 key names). */
export function memoryUsage(sample: ContainerStatsSample): number {
  const s = sample.memory.stats;
  const cache = s.total_inactive_file ?? s.inactive_file ?? 0;
  return Math.max(0, sample.memory.usage - (cache < sample.memory.usage ? cache : 0));
}

export function toPoint(prev: ContainerStatsSample | null, cur: ContainerStatsSample): StatsPoint {
  const nets = Object.values(cur.networks);
  const blk = (op: 'read' | 'write') => cur.blkio.filter((b) => b.op === op).reduce((n, b) => n + b.value, 0);
  return {
    time: Date.parse(cur.read) || Date.now(),
    cpuPercent: cpuPercent(prev, cur),
    memUsage: memoryUsage(cur),
    memLimit: cur.memory.limit,
    netRx: nets.reduce((n, c) => n + c.rxBytes, 0),
    netTx: nets.reduce((n, c) => n + c.txBytes, 0),
    blkRead: blk('read'),
    blkWrite: blk('write'),
    pids: cur.pids.current,
    pidsLimit: cur.pids.limit,
  };
}

/** `points` of a sparkline: values scaled into a width × height box, the newest on the right. */
export function sparkPoints(values: readonly number[], width: number, height: number, max?: number): string {
  if (values.length === 0) return '';
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(height - (Math.max(0, v) / top) * height).toFixed(1)}`).join(' ');
}
