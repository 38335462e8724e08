import { describe, expect, it } from 'vitest';
import type { ContainerStatsSample } from '../../engine/api/container-stats';
import { cpuPercent, memoryUsage, sparkPoints, toPoint } from './rates';

const sample = (over: { totalNs: number; systemNs: number; usage?: number; stats?: Record<string, number>; running?: boolean }): ContainerStatsSample => ({
  id: 'c',
  name: 'web',
  read: '2026-01-01T00:00:00.000Z',
  running: over.running ?? true,
  cgroupVersion: '2',
  cpu: { totalNs: over.totalNs, kernelNs: 0, userNs: 0, perCpuNs: [], systemNs: over.systemNs, onlineCpus: 2, throttledPeriods: 0, periods: 0, throttledNs: 0 },
  memory: { usage: over.usage ?? 10_000_000, maxUsage: 0, limit: 100_000_000, stats: over.stats ?? {} },
  pids: { current: 3, limit: 0 },
  blkio: [
    { major: 8, minor: 0, op: 'read', value: 100 },
    { major: 8, minor: 16, op: 'read', value: 50 },
    { major: 8, minor: 0, op: 'write', value: 7 },
  ],
  networks: { eth0: { rxBytes: 10, rxPackets: 1, rxErrors: 0, rxDropped: 0, txBytes: 20, txPackets: 1, txErrors: 0, txDropped: 0 }, eth1: { rxBytes: 5, rxPackets: 1, rxErrors: 0, rxDropped: 0, txBytes: 1, txPackets: 1, txErrors: 0, txDropped: 0 } },
});

describe('stats arithmetic', () => {
  it('CPU % is the container share of host CPU time times the CPUs, as docker stats computes it', () => {
    // Half a second of CPU in a second of two-CPU host time (2 s of system time): 50 %.
    expect(cpuPercent(sample({ totalNs: 0, systemNs: 0 }), sample({ totalNs: 500_000_000, systemNs: 2_000_000_000 }))).toBeCloseTo(50);
    expect(cpuPercent(null, sample({ totalNs: 5, systemNs: 5 }))).toBe(0);
    expect(cpuPercent(sample({ totalNs: 0, systemNs: 0 }), sample({ totalNs: 9, systemNs: 9, running: false }))).toBe(0);
  });

  it('memory leaves out inactive file cache (v1 and v2 names); totals sum every interface and device', () => {
    expect(memoryUsage(sample({ totalNs: 0, systemNs: 0, usage: 1000, stats: { inactive_file: 300 } }))).toBe(700);
    expect(memoryUsage(sample({ totalNs: 0, systemNs: 0, usage: 1000, stats: { total_inactive_file: 400 } }))).toBe(600);
    const p = toPoint(null, sample({ totalNs: 0, systemNs: 0 }));
    expect(p).toMatchObject({ netRx: 15, netTx: 21, blkRead: 150, blkWrite: 7, pids: 3, memLimit: 100_000_000 });
  });

  it('sparkline points span the box, the highest value at the top', () => {
    expect(sparkPoints([0, 5, 10], 100, 20)).toBe('0.0,20.0 50.0,10.0 100.0,0.0');
    expect(sparkPoints([], 100, 20)).toBe('');
  });
});
