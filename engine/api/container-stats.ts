// Container resource usage (docker stats): samples of the container's cgroup counters and its network
// interfaces. Counters are cumulative; a consumer derives rates from two samples (CPU % = Δcpu / Δsystem).
import { z } from 'zod';
import { stream } from './kit';

export const CpuSample = z.object({
  /** CPU time of every process in the container, nanoseconds. */
  totalNs: z.number(),
  kernelNs: z.number(),
  userNs: z.number(),
  /** Per host CPU, nanoseconds (cgroup v1 only; empty on v2). */
  perCpuNs: z.array(z.number()),
  /** CPU time of the whole host since boot (/proc/stat), nanoseconds: the denominator of CPU %. */
  systemNs: z.number(),
  onlineCpus: z.number().int(),
  throttledPeriods: z.number(),
  periods: z.number(),
  throttledNs: z.number(),
});
export type CpuSample = z.infer<typeof CpuSample>;

export const NetworkCounters = z.object({
  rxBytes: z.number(),
  rxPackets: z.number(),
  rxErrors: z.number(),
  rxDropped: z.number(),
  txBytes: z.number(),
  txPackets: z.number(),
  txErrors: z.number(),
  txDropped: z.number(),
});
export type NetworkCounters = z.infer<typeof NetworkCounters>;

export const ContainerStatsSample = z.object({
  id: z.string(),
  name: z.string(),
  /** ISO time the sample was read. */
  read: z.string(),
  /** False for a container that is not running: every counter is then zero. */
  running: z.boolean(),
  cgroupVersion: z.enum(['1', '2']),
  cpu: CpuSample,
  memory: z.object({
    usage: z.number(),
    /** v1 only: the highest usage seen. */
    maxUsage: z.number(),
    /** The container's limit, or the host's memory when it has none. */
    limit: z.number(),
    /** memory.stat as read (v1 keys like total_inactive_file, v2 keys like inactive_file). */
    stats: z.record(z.string(), z.number()),
  }),
  pids: z.object({ current: z.number(), limit: z.number() }),
  /** Bytes read and written per block device. */
  blkio: z.array(z.object({ major: z.number().int(), minor: z.number().int(), op: z.enum(['read', 'write']), value: z.number() })),
  /** By interface name inside the container (loopback left out). */
  networks: z.record(z.string(), NetworkCounters),
});
export type ContainerStatsSample = z.infer<typeof ContainerStatsSample>;

export const containerStatsContract = {
  'containers.stats': stream(
    'Resource usage samples of a container: one at once, then one per interval unless stream is false. A container that is not running gives one zero sample.',
    z
      .object({
        id: z.string().min(1).describe('id, id prefix or name'),
        stream: z.boolean().default(true),
        intervalMs: z.number().int().min(100).max(60_000).default(1000),
      })
      .strict(),
    ContainerStatsSample,
  ),
};
