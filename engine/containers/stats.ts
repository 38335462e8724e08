// containers.stats: samples of a running container's counters, one now and then one per interval until the
// container stops or the caller goes away.
import type { ContainerStatsSample } from '../api/container-stats';
import type { ContainerManager } from './manager';
import { CGROUP_PARENT } from './bundle';
import { locateCgroup, readCounters, zeroCounters } from './stats-cgroup';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function* containerStats(
  manager: ContainerManager,
  input: { id: string; stream: boolean; intervalMs: number },
  signal: AbortSignal,
): AsyncGenerator<ContainerStatsSample> {
  const first = manager.find(input.id);
  for (;;) {
    // Re-read each round: a restart changes the pid (and the cgroup's processes), a removal ends the stream.
    const rec = manager.repo.get(first.id);
    if (!rec) return;
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    const cgroup = locateCgroup(running ? rec.state.pid : 0, `${CGROUP_PARENT}/${rec.id}`);
    const counters = running ? readCounters(cgroup, rec.state.pid) : zeroCounters();
    yield { id: rec.id, name: rec.name, read: new Date().toISOString(), running, cgroupVersion: cgroup.version, ...counters };
    if (!input.stream || !running || signal.aborted) return;
    await sleep(input.intervalMs, signal);
    if (signal.aborted) return;
  }
}
