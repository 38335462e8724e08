// Container health checks (docker's HEALTHCHECK): while a container runs, its probe runs through the exec
// machinery every interval; exit 0 = healthy, anything else (or the timeout) = a failure, and `retries`
// failures in a row outside the start period = unhealthy. Each status change is a `health_status: X` event.
// The state lives in the container dir (health.json), so an engine restart resumes where it left off.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerHealth, HealthConfig } from '../api/containers';
import type { EngineContext, ImageRunConfig } from '../context';
import type { ExecManager } from './exec';
import { containerLayout } from './layout';
import type { ContainerManager } from './manager';
import type { ContainerRecord } from './record';

/** Docker keeps the last 5 probes and 4 KiB of each probe's output. */
const MAX_LOG = 5;
const MAX_OUTPUT = 4096;
/** After a timeout kill, how long the probe's stream may take to end before it is abandoned. */
const KILL_GRACE_MS = 2000;

type ProbeResult = ContainerHealth['log'][number];

interface Monitor {
  id: string;
  config: HealthConfig;
  timer: NodeJS.Timeout | null;
  abort: AbortController;
  ended: boolean;
}

/** The image's HEALTHCHECK (nanosecond durations) as the contract's HealthConfig; null when there is none. */
export function imageHealthConfig(image: ImageRunConfig | undefined): HealthConfig | null {
  const h = image?.Healthcheck;
  if (!h?.Test?.length) return null;
  const ms = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : fallback);
  return {
    test: h.Test,
    intervalMs: ms(h.Interval, 30_000),
    timeoutMs: ms(h.Timeout, 30_000),
    startPeriodMs: ms(h.StartPeriod, 0),
    retries: h.Retries && h.Retries > 0 ? h.Retries : 3,
  };
}

/** The argv a probe runs: CMD-SHELL goes through /bin/sh -c like docker. */
export function probeCommand(test: string[]): string[] {
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  if (test[0] === 'CMD') return test.slice(1);
  return test;
}

/** `Up 5 seconds (healthy)`: docker's ps status with the health in brackets. */
export function withHealth(status: string, health: ContainerHealth | undefined): string {
  if (!health) return status;
  return `${status} (${health.status === 'starting' ? 'health: starting' : health.status})`;
}

export class HealthMonitor {
  private readonly monitors = new Map<string, Monitor>();
  private readonly states = new Map<string, ContainerHealth>();
  /** Containers known to have no health state: `ps` must not read a file per container per call. */
  private readonly none = new Set<string>();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly manager: ContainerManager,
    private readonly execs: ExecManager,
  ) {}

  private file(id: string) {
    return path.join(containerLayout(this.ctx.paths, id).dir, 'health.json');
  }

  /** The container's health, or undefined when it has no health check (or never ran with one). */
  get(id: string): ContainerHealth | undefined {
    const known = this.states.get(id);
    if (known) return known;
    if (this.none.has(id)) return undefined;
    try {
      const saved = JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as ContainerHealth;
      this.states.set(id, saved);
      return saved;
    } catch {
      this.none.add(id);
      return undefined;
    }
  }

  /** No health check (any more): no health state either. */
  private forget(id: string) {
    if (!this.get(id)) return;
    this.states.delete(id);
    this.none.add(id);
    fs.rmSync(this.file(id), { force: true });
  }

  private save(id: string, health: ContainerHealth) {
    this.states.set(id, health);
    this.none.delete(id);
    try {
      fs.writeFileSync(this.file(id), JSON.stringify(health));
    } catch {
      // The container dir is gone (removed meanwhile): nothing to keep.
    }
  }

  /** Called on every state change of a container (manager.transition). */
  changed(rec: ContainerRecord) {
    const status = rec.state.status;
    if (status === 'running' || status === 'paused') {
      // Unpause keeps the running monitor; a (re)start begins a fresh one in `starting` — at once, so nobody
      // waiting for health reads the previous run's verdict while the config is being resolved.
      if (!this.monitors.has(rec.id)) {
        if (rec.config.healthcheck || this.get(rec.id)) this.save(rec.id, { status: 'starting', failingStreak: 0, log: [] });
        void this.begin(rec, true);
      }
    } else {
      this.end(rec.id);
      if (status === 'removing') this.states.delete(rec.id);
    }
  }

  /** Engine start: running containers carry on with the health they had. */
  resume() {
    for (const rec of this.manager.repo.all()) {
      if ((rec.state.status === 'running' || rec.state.status === 'paused') && !this.monitors.has(rec.id)) void this.begin(rec, false);
    }
  }

  shutdown() {
    this.stopped = true;
    for (const id of [...this.monitors.keys()]) this.end(id);
  }

  private async config(rec: ContainerRecord): Promise<HealthConfig | null> {
    let config: HealthConfig | null = rec.config.healthcheck ?? null;
    if (!config && rec.resolved.imageId && this.ctx.images) {
      const image = await this.ctx.images.resolve(rec.resolved.imageId).catch(() => null);
      config = imageHealthConfig(image?.config);
    }
    if (!config || config.test[0] === 'NONE' || probeCommand(config.test).length === 0) return null;
    return config;
  }

  private async begin(rec: ContainerRecord, fresh: boolean) {
    if (this.stopped) return;
    const monitor: Monitor = { id: rec.id, config: null as unknown as HealthConfig, timer: null, abort: new AbortController(), ended: false };
    this.monitors.set(rec.id, monitor);
    const config = await this.config(rec).catch((err: Error) => {
      this.ctx.log.warn(`health check of ${rec.name}: ${err.message}`);
      return null;
    });
    if (monitor.ended) return;
    if (!config) {
      this.monitors.delete(rec.id);
      this.forget(rec.id);
      return;
    }
    monitor.config = config;
    if (fresh || !this.get(rec.id)) this.save(rec.id, { status: 'starting', failingStreak: 0, log: [] });
    this.schedule(monitor);
  }

  private end(id: string) {
    const m = this.monitors.get(id);
    if (!m) return;
    m.ended = true;
    if (m.timer) clearTimeout(m.timer);
    m.abort.abort();
    this.monitors.delete(id);
  }

  private schedule(m: Monitor) {
    m.timer = setTimeout(() => void this.tick(m).catch((err: Error) => this.ctx.log.warn(`health check ${m.id.slice(0, 12)}: ${err.message}`)), m.config.intervalMs);
    m.timer.unref();
  }

  private async tick(m: Monitor) {
    m.timer = null;
    if (m.ended) return;
    const rec = this.manager.repo.get(m.id);
    if (!rec || (rec.state.status !== 'running' && rec.state.status !== 'paused')) return this.end(m.id);
    // A frozen container cannot run a probe: wait for the unpause.
    if (rec.state.status === 'running') {
      const result = await this.probe(rec, m);
      if (m.ended) return;
      this.record(rec, m.config, result);
    }
    if (!m.ended) this.schedule(m);
  }

  private async probe(rec: ContainerRecord, m: Monitor): Promise<ProbeResult> {
    const start = new Date();
    const { timeoutMs } = m.config;
    const stop = new AbortController();
    const onEnd = () => stop.abort();
    m.abort.signal.addEventListener('abort', onEnd, { once: true });
    let timedOut = false;
    let output = Buffer.alloc(0);
    let exitCode = -1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const execId = this.execs.create({ id: rec.id, cmd: probeCommand(m.config.test), env: [], tty: false, attachStdin: false });
      // Past the timeout the probe is killed; if its stream still does not end, it is abandoned.
      timer = setTimeout(() => {
        timedOut = true;
        const giveUp = Date.now() + KILL_GRACE_MS;
        // The probe's pid is known once conmon reported it; a slow launch gets a moment to report it.
        const kill = () => {
          const pid = this.execs.inspect(execId).pid;
          if (pid > 0) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          } else if (Date.now() < giveUp && !stop.signal.aborted) setTimeout(kill, 50).unref();
        };
        kill();
        setTimeout(() => stop.abort(), KILL_GRACE_MS).unref();
      }, timeoutMs);
      for await (const chunk of this.execs.start(execId, stop.signal)) {
        if (chunk.stream === 'exit') exitCode = chunk.exitCode ?? -1;
        else if (output.length < MAX_OUTPUT) output = Buffer.concat([output, Buffer.from(chunk.data, 'base64')]).subarray(0, MAX_OUTPUT);
      }
    } catch (err) {
      output = Buffer.from(`health check could not run: ${(err as Error).message}`);
      exitCode = -1;
    } finally {
      clearTimeout(timer);
      m.abort.signal.removeEventListener('abort', onEnd);
    }
    const end = new Date().toISOString();
    if (timedOut) return { start: start.toISOString(), end, exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
    return { start: start.toISOString(), end, exitCode, output: output.toString('utf8') };
  }

  private record(rec: ContainerRecord, config: HealthConfig, result: ProbeResult) {
    const prev = this.get(rec.id) ?? { status: 'starting' as const, failingStreak: 0, log: [] };
    const next: ContainerHealth = { ...prev, log: [...prev.log, result].slice(-MAX_LOG) };
    if (result.exitCode === 0) {
      next.failingStreak = 0;
      next.status = 'healthy';
    } else {
      // Failures in the start period do not count while the container has not been healthy yet.
      const inStartPeriod = prev.status === 'starting' && Date.now() - rec.state.startedAt < config.startPeriodMs;
      if (!inStartPeriod) {
        next.failingStreak = prev.failingStreak + 1;
        if (next.failingStreak >= config.retries) next.status = 'unhealthy';
      }
    }
    this.save(rec.id, next);
    if (next.status !== prev.status) this.manager.emit(rec, `health_status: ${next.status}`);
  }
}
