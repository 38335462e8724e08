// How fd stats turns two samples into docker's columns (no engine needed).
import { describe, expect, it } from 'vitest';
import type { ContainerStatsSample } from '../../api/container-stats';
import { formatBinary, formatDecimal, statsRow } from './stats';

const net = { rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 };

function sample(totalNs: number, systemNs: number, extra: Partial<ContainerStatsSample> = {}): ContainerStatsSample {
  return {
    id: 'a'.repeat(64),
    name: 'web',
    read: new Date().toISOString(),
    running: true,
    cgroupVersion: '2',
    cpu: { totalNs, kernelNs: 0, userNs: 0, perCpuNs: [], systemNs, onlineCpus: 2, throttledPeriods: 0, periods: 0, throttledNs: 0 },
    memory: { usage: 30 * 1024 * 1024, maxUsage: 0, limit: 64 * 1024 * 1024, stats: { inactive_file: 14 * 1024 * 1024 } },
    pids: { current: 3, limit: 0 },
    blkio: [
      { major: 8, minor: 0, op: 'read', value: 1500 },
      { major: 8, minor: 16, op: 'read', value: 500 },
      { major: 8, minor: 0, op: 'write', value: 2_500_000 },
    ],
    networks: { eth0: { ...net, rxBytes: 1234, txBytes: 56 }, eth1: { ...net, rxBytes: 766 } },
    ...extra,
  };
}

describe('fd stats rows', () => {
  it("CPU % is the container's share of host CPU time times the CPUs; memory leaves out reclaimable cache", () => {
    const row = statsRow(sample(1.5e9, 12e9), sample(1e9, 10e9));
    expect(row).toEqual({
      ID: 'aaaaaaaaaaaa',
      Name: 'web',
      CPUPerc: '50.00%',
      MemUsage: '16MiB / 64MiB',
      MemPerc: '25.00%',
      NetIO: '2kB / 56B',
      BlockIO: '2kB / 2.5MB',
      PIDs: '3',
    });
  });

  it('the first sample has no CPU base; a stopped container is all zeros', () => {
    expect(statsRow(sample(1.5e9, 12e9), null).CPUPerc).toBe('0.00%');
    expect(statsRow(sample(0, 0, { running: false }), null)).toMatchObject({ CPUPerc: '0.00%', MemUsage: '0B / 0B', PIDs: '0' });
  });

  it("sizes read like docker's (4 significant digits)", () => {
    expect(formatBinary(1536)).toBe('1.5KiB');
    expect(formatBinary(7.6913 * 1024 ** 3)).toBe('7.691GiB');
    expect(formatDecimal(999)).toBe('999B');
    expect(formatDecimal(1_234_567)).toBe('1.235MB');
  });
});
