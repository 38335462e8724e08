// The container lifecycle: create, start, stop, kill, restart, remove, pause, wait, exit handling, restart
// policies and reconcile. conmon + runc do the work (engine/runtime); this module keeps the store, the state
// machine and the event log in step with them.
import fs from 'node:fs';
import { EngineError, invalid, notFound, unavailable } from '../api/errors';
import type { ContainerConfig, ContainerInspect, ContainerStatus, ContainerSummary } from '../api/containers';
import type { z } from 'zod';
import type { ListFilters } from '../api/containers';
import type { EngineContext } from '../context';
import { discoverRuntime, findConmon, type OciRuntime } from '../runtime/oci';
import { launchConmon, readExitFile } from '../runtime/conmon';
import { bootId, isAlive } from '../runtime/host';
import { DEFAULT_PATH } from '../runtime/spec';
import { isMounted, overlayDirs } from '../runtime/overlay';
import { ContainerRepo } from './repo';
import { initialState, type ContainerRecord, type Resolved } from './record';
import { checkTransition } from './state';
import { containerLayout, exitsDir } from './layout';
import { hostnameOf, prepareRootfs, releaseRootfs, writeBundle } from './bundle';
import { checkNetworkConfig, networkSettings, prepareNetwork, publishedPorts, registerNetworkHooks, releaseNetwork } from './networking';
import { ExitWatcher } from './exits';
import { generateName, newContainerId } from './names';
import { RESET_AFTER_MS, restartDelay, restartOnEngineStart, shouldRestart } from './restart';
import { commandText, statusText } from './format';
import { signalNumber } from './signals';
import { ContainerMounts } from './mounts';
import { withHealth, type HealthMonitor } from './health';
import { applyExtraFilters, treeSize } from './list-filters';
import { checkRemovable } from './leftover-mounts';

/** Setting that caps each container log (bytes; conmon then starts it over). Unset = no cap, like docker and podman. */
export const LOG_SIZE_MAX_SETTING = 'containers.logSizeMax';
const live = (s: ContainerStatus) => s === 'running' || s === 'paused';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Both results once both settled, else the first failure: nothing is left running for the cleanup to miss. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
/** The image as the user named it (`busybox`, as docker shows it), or the --rootfs dir. */
const shownImage = (rec: ContainerRecord) => rec.config.image || rec.resolved.image;
/** conmon exits right after its container (and its exit file): wait for that briefly, then make sure. */
async function reapConmon(pid: number, startTime: string | null) {
  // Polled from 1 ms up: it is usually gone within a few ms, and a fixed 25 ms step cost a whole step per run.
  for (let waited = 0, step = 1; waited < 500 && isAlive(pid, startTime); waited += step, step = Math.min(step * 2, 25)) await sleep(step);
  if (isAlive(pid, startTime)) process.kill(pid, 'SIGKILL');
}
/** conmon marks an OOM kill in its persist dir (cgroup v2) or in its cwd (cgroup v1). */
/**
 * A start cut short by an engine crash can leave its conmon running with no record of its pid in the store:
 * find it through its pidfile (checking it really is this container's conmon) and kill it.
 */
async function killStrayConmon(pidFile: string, id: string) {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const pid = Number(read(pidFile).trim());
  const cmdline = pid ? read(`/proc/${pid}/cmdline`) : '';
  if (!cmdline.includes('conmon') || !cmdline.includes(id)) return;
  process.kill(pid, 'SIGKILL');
  // A zombie has an empty cmdline: gone as far as anyone can see.
  for (let i = 0; i < 40 && read(`/proc/${pid}/cmdline`); i++) await sleep(25);
}
const oomFileExists = (layout: { dir: string; persistDir: string }) => fs.existsSync(`${layout.persistDir}/oom`) || fs.existsSync(`${layout.dir}/oom`);

export class ContainerManager {
  readonly repo: ContainerRepo;
  private runtimeCache: OciRuntime | null = null;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly dies = new Map<string, number>();
  /** Last exit code per id, kept past removal so `wait` on an --rm container still gets it. */
  private readonly lastExit = new Map<string, number>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Policy restarts whose start is under way (network setup takes a moment): still "restarting" meanwhile. */
  private readonly policyStarts = new Set<string>();
  private readonly quickDeaths = new Map<string, number>();
  /** Ids being removed or stopped by the engine itself: their exit never triggers a restart policy. */
  private readonly noPolicy = new Set<string>();
  private readonly watcher: ExitWatcher;
  /** Names of creates in flight (see create). */
  private readonly namesBeingCreated = new Set<string>();
  /** Set by the health monitor (health.ts): follows state changes, answers health for ps and inspect. */
  health?: Pick<HealthMonitor, 'changed' | 'get'>;
  private stopped = false;
  /** -v/--mount/--tmpfs and image VOLUMEs: planned at create, mounted at start (engine/containers/mounts.ts). */
  private readonly mounts: ContainerMounts;

  constructor(private readonly ctx: EngineContext) {
    this.repo = new ContainerRepo(ctx.store);
    this.mounts = new ContainerMounts(ctx);
    this.watcher = new ExitWatcher(
      exitsDir(ctx.paths),
      () => this.repo.all().filter((r) => live(r.state.status)).map((r) => r.id),
      (id) => void this.handleExit(id).catch((err: Error) => ctx.log.warn(`container ${id.slice(0, 12)} exit: ${err.message}`)),
    );
    registerNetworkHooks(ctx, this.repo);
  }

  get runtime(): OciRuntime {
    return (this.runtimeCache ??= discoverRuntime(this.ctx.paths.runtimeState));
  }

  /** The runtime, or null when none is installed: cleanup and reconcile then skip runtime steps. */
  private tryRuntime(): OciRuntime | null {
    try {
      return this.runtime;
    } catch {
      return null;
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  /** Serialises operations on one container. */
  private withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  private notify(id: string) {
    for (const wake of this.listeners.get(id) ?? []) wake();
  }

  /** Resolves on the next state change of `id` (or the abort). */
  private changed(id: string, signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.listeners.get(id) ?? new Set();
      this.listeners.set(id, set);
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        set.delete(done);
        if (set.size === 0) this.listeners.delete(id);
        signal?.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
    });
  }

  private attributes(rec: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
    return { ...rec.config.labels, name: rec.name, image: shownImage(rec), ...extra };
  }

  emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}) {
    this.ctx.events.append({ type: 'container', action, actor: { id: rec.id, attributes: this.attributes(rec, extra) } });
  }

  /** The one way state changes: checked, persisted, then exactly one event. */
  private transition(rec: ContainerRecord, to: ContainerStatus, action: string, extra: Record<string, string> = {}) {
    checkTransition(rec, to);
    rec.state.status = to;
    this.repo.saveState(rec);
    this.emit(rec, action, extra);
    this.notify(rec.id);
    this.health?.changed(rec);
  }

  find(ref: string): ContainerRecord {
    return this.repo.find(ref);
  }

  // ---- create ---------------------------------------------------------------------------------------------

  async create(config: ContainerConfig): Promise<{ id: string; warnings: string[] }> {
    if (config.image && config.rootfs) throw invalid('give either an image or --rootfs, not both');
    if (!config.image && !config.rootfs) throw invalid('an image or --rootfs DIR is required');
    const taken = (n: string) => this.repo.nameTaken(n) || this.namesBeingCreated.has(n);
    const name = config.name?.replace(/^\//, '') ?? generateName(taken);
    if (taken(name)) {
      throw new EngineError('conflict', `The container name "/${name}" is already in use: remove that container or choose another --name`);
    }
    // Held until the row exists: a create running alongside (they await image and mount work) must not take it.
    this.namesBeingCreated.add(name);
    try {
      return await this.createNamed(config, name);
    } finally {
      this.namesBeingCreated.delete(name);
    }
  }

  private async createNamed(config: ContainerConfig, name: string): Promise<{ id: string; warnings: string[] }> {
    const warnings = checkNetworkConfig(this.ctx, config);
    const resolved = await this.resolve(config);
    const rec: ContainerRecord = { id: newContainerId(), name, created: Date.now(), config: { ...config, name }, resolved, state: initialState() };
    await this.mounts.create(rec.id, rec.config, resolved.imageId);
    const layout = containerLayout(this.ctx.paths, rec.id);
    fs.mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
    try {
      this.repo.insert(rec);
    } catch (err) {
      fs.rmSync(layout.dir, { recursive: true, force: true });
      throw err;
    }
    if (resolved.imageId) this.ctx.images?.addUser(resolved.imageId, rec.id);
    this.emit(rec, 'create');
    return { id: rec.id, warnings };
  }

  private async resolve(config: ContainerConfig): Promise<Resolved> {
    let image = { ref: '', id: '', lowerDirs: [] as string[], config: {} as NonNullable<Awaited<ReturnType<NonNullable<EngineContext['images']>['resolve']>>>['config'] };
    if (config.image) {
      if (!this.ctx.images) throw unavailable(`images are not available in this engine yet: run from a directory with --rootfs DIR`);
      const found = await this.ctx.images.resolve(config.image);
      image = { ref: found.ref, id: found.id, lowerDirs: found.lowerDirs, config: found.config };
    } else {
      const st = fs.statSync(config.rootfs!, { throwIfNoEntry: false });
      if (!st?.isDirectory()) throw invalid(`rootfs ${config.rootfs} is not a directory`);
    }
    const entrypoint = config.entrypoint ?? image.config.Entrypoint ?? [];
    // Docker drops the image's Cmd when the entrypoint is overridden.
    const cmd = config.cmd && config.cmd.length ? config.cmd : config.entrypoint ? [] : (image.config.Cmd ?? []);
    const args = [...entrypoint, ...cmd];
    if (args.length === 0) throw invalid('no command specified: give a command after the image or --rootfs DIR');
    const env = new Map<string, string>();
    for (const e of [...(image.config.Env ?? [DEFAULT_PATH]), ...config.env]) {
      const eq = e.indexOf('=');
      env.set(eq < 0 ? e : e.slice(0, eq), e);
    }
    return {
      args,
      env: [...env.values()].filter((e) => e.includes('=')),
      workingDir: config.workingDir || image.config.WorkingDir || '/',
      user: config.user ?? image.config.User ?? '',
      stopSignal: config.stopSignal ?? image.config.StopSignal ?? 'SIGTERM',
      image: config.image ? image.ref : config.rootfs!,
      imageId: image.id,
      lowerDirs: image.lowerDirs,
    };
  }

  // ---- start ----------------------------------------------------------------------------------------------

  /** `beforeStart` runs between `runc create` and `runc start`: an attach there misses no output. */
  start(ref: string, beforeStart?: (bundleDir: string) => Promise<void>): Promise<void> {
    const rec = this.find(ref);
    return this.withLock(rec.id, () => this.startLocked(rec.id, false, beforeStart));
  }

  private async startLocked(id: string, policyRestart = false, beforeStart?: (bundleDir: string) => Promise<void>): Promise<void> {
    const rec = this.repo.get(id);
    if (!rec) throw notFound(`No such container: ${id}`);
    if (rec.state.status === 'running') throw new EngineError('not_modified', `container ${rec.name} is already running`);
    if (rec.state.status === 'paused') throw new EngineError('conflict', `container ${rec.name} is paused: unpause it instead`);
    checkTransition(rec, 'running');
    this.cancelRestart(rec.id);
    const layout = containerLayout(this.ctx.paths, rec.id);
    fs.rmSync(layout.exitFile, { force: true });
    fs.rmSync(layout.persistDir, { recursive: true, force: true });
    fs.rmSync(`${layout.dir}/oom`, { force: true });
    const runtime = this.runtime;
    const conmon = findConmon();
    let launched;
    try {
      // The rootfs (with its mounts) and the network do not depend on each other: they are set up side by side.
      const [{ rootfs, mounts }, network] = await bothSettled(
        prepareRootfs(rec, layout).then(async (root) => ({ rootfs: root, mounts: await this.mounts.prepare(rec.id, root) })),
        prepareNetwork(this.ctx, rec, hostnameOf(rec)),
      );
      writeBundle(rec, layout, rootfs, rec.config.tty, network, mounts);
      await runtime.delete(rec.id);
      launched = await launchConmon({
        conmon,
        runtime,
        id: rec.id,
        sessionId: rec.id,
        name: rec.name,
        bundle: layout.dir,
        workDir: layout.dir,
        exitDir: exitsDir(this.ctx.paths),
        persistDir: layout.persistDir,
        logPath: layout.logPath,
        logSizeMax: Number(this.ctx.settings.get<number>(LOG_SIZE_MAX_SETTING, 0)) || undefined,
        tty: rec.config.tty,
        stdin: rec.config.openStdin,
        leaveStdinOpen: !rec.config.stdinOnce,
      });
      // Known before `runc start`, so a failure below cleans up this conmon, not a previous one.
      rec.state.conmonPid = launched.conmonPid;
      rec.state.conmonStartTime = launched.conmonStartTime;
      await beforeStart?.(layout.dir);
      await runtime.start(rec.id, launched.pid);
    } catch (err) {
      await this.cleanupRuntime(rec).catch(() => undefined);
      for (const f of [layout.exitFile, `${layout.dir}/conmon.pid`, `${layout.dir}/pidfile`]) fs.rmSync(f, { force: true });
      const message = err instanceof Error ? err.message : String(err);
      Object.assign(rec.state, { conmonPid: 0, conmonStartTime: null, pid: 0 });
      rec.state.error = message;
      rec.state.exitCode = /not found|no such file/i.test(message) ? 127 : /permission denied/i.test(message) ? 126 : 128;
      this.repo.saveState(rec);
      throw err instanceof EngineError ? err : new EngineError('internal', `starting ${rec.name}: ${message}`);
    }
    Object.assign(rec.state, {
      pid: launched.pid,
      conmonPid: launched.conmonPid,
      conmonStartTime: launched.conmonStartTime,
      bootId: bootId(),
      startedAt: Date.now(),
      exitCode: 0,
      error: '',
      oomKilled: false,
      stoppedByUser: false,
    });
    if (!policyRestart) rec.state.restartCount = 0;
    this.transition(rec, 'running', 'start');
  }

  /** Undoes what start set up; safe to call any number of times. */
  private async cleanupRuntime(rec: ContainerRecord, opts: { runtimeState: boolean } = { runtimeState: true }) {
    // The network, the runtime's state and the rootfs do not depend on each other (the host's rootfs mount is
    // not the one the container's own mount namespace holds): all three go side by side, each even when
    // another fails. The network side never throws.
    const network = releaseNetwork(this.ctx, rec.id);
    const runtime = (async () => {
      if (opts.runtimeState) await this.deleteRuntimeState(rec);
      await reapConmon(rec.state.conmonPid, rec.state.conmonStartTime);
    })();
    const rootfs = releaseRootfs(rec, containerLayout(this.ctx.paths, rec.id)).then(() => this.mounts.release(rec.id));
    try {
      await bothSettled(runtime, rootfs);
    } finally {
      await network;
    }
  }

  private async deleteRuntimeState(rec: ContainerRecord) {
    await this.tryRuntime()?.delete(rec.id).catch((err: Error) => this.ctx.log.warn(`runtime delete ${rec.id.slice(0, 12)}: ${err.message}`));
  }

  // ---- exit handling and restart policies -----------------------------------------------------------------

  handleExit(id: string): Promise<void> {
    return this.withLock(id, async () => {
      const rec = this.repo.get(id);
      if (!rec || !live(rec.state.status)) return;
      const layout = containerLayout(this.ctx.paths, id);
      const code = readExitFile(layout.exitFile);
      if (code === null) return;
      // Clean up first: once `die` is out (and `wait` returns), the mount, network and conmon are gone. The
      // runtime's record of the dead process (`runc delete`, a whole runc process) goes right after `die`,
      // still under the lock, so a start or removal queued behind it finds it gone; after a crash in between,
      // reconcile finds the runtime state of an exited container and deletes it.
      await this.cleanupRuntime(rec, { runtimeState: false });
      this.recordExit(rec, code, fs.statSync(layout.exitFile).mtimeMs, oomFileExists(layout));
      await this.deleteRuntimeState(rec);
      await this.afterExit(rec);
    });
  }

  private recordExit(rec: ContainerRecord, code: number, finishedAt: number, oom: boolean, error = '') {
    if (oom) this.emit(rec, 'oom');
    Object.assign(rec.state, { exitCode: code, finishedAt: Math.round(finishedAt), pid: 0, conmonPid: 0, conmonStartTime: null, oomKilled: oom, error });
    this.dies.set(rec.id, (this.dies.get(rec.id) ?? 0) + 1);
    this.lastExit.set(rec.id, code);
    this.transition(rec, 'exited', 'die', { exitCode: String(code) });
  }

  /** After a die: --rm or the restart policy. Runs under the container's lock. */
  private async afterExit(rec: ContainerRecord) {
    if (this.noPolicy.has(rec.id) || this.stopped) return;
    if (rec.config.autoRemove) {
      await this.removeLocked(rec.id, true, true);
      return;
    }
    if (shouldRestart(rec)) this.scheduleRestart(rec);
  }

  private scheduleRestart(rec: ContainerRecord) {
    // Quick deaths in a row back off; a run of RESET_AFTER_MS or more starts the count over.
    const ranFor = rec.state.finishedAt - rec.state.startedAt;
    const consecutive = ranFor >= RESET_AFTER_MS ? 0 : (this.quickDeaths.get(rec.id) ?? 0) + 1;
    this.quickDeaths.set(rec.id, consecutive);
    const delay = restartDelay(consecutive - 1);
    this.cancelRestart(rec.id);
    const timer = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      void this.withLock(rec.id, async () => {
        const now = this.repo.get(rec.id);
        if (!now || now.state.status !== 'exited' || now.state.stoppedByUser || this.stopped) return;
        now.state.restartCount += 1;
        this.repo.saveState(now);
        this.policyStarts.add(now.id);
        try {
          await this.startLocked(now.id, true);
        } finally {
          this.policyStarts.delete(now.id);
        }
      }).catch((err: Error) => this.ctx.log.warn(`restarting ${rec.name}: ${err.message}`));
    }, delay);
    timer.unref();
    this.restartTimers.set(rec.id, timer);
  }

  private cancelRestart(id: string) {
    const t = this.restartTimers.get(id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(id);
  }

  restartPending(id: string): boolean {
    return this.restartTimers.has(id) || this.policyStarts.has(id);
  }

  // ---- stop / kill / restart / pause ----------------------------------------------------------------------

  /** Waits until conmon wrote the exit file, up to `ms`; true when it did. */
  private async awaitExitFile(id: string, ms: number): Promise<boolean> {
    const file = containerLayout(this.ctx.paths, id).exitFile;
    const deadline = Date.now() + ms;
    while (readExitFile(file) === null) {
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
    return true;
  }

  /** Marks a user stop under the lock, so a policy restart in flight either sees it or finishes first. */
  private markStoppedByUser(id: string): Promise<ContainerRecord> {
    return this.withLock(id, async () => {
      const now = this.repo.get(id);
      if (!now) throw notFound(`No such container: ${id}`);
      this.cancelRestart(id);
      now.state.stoppedByUser = true;
      this.repo.saveState(now);
      return now;
    });
  }

  async stop(ref: string, timeoutSec?: number): Promise<void> {
    const rec = await this.markStoppedByUser(this.find(ref).id);
    if (!live(rec.state.status)) return;
    const timeout = (timeoutSec ?? rec.config.stopTimeout ?? 10) * 1000;
    const signal = signalNumber(rec.resolved.stopSignal);
    if (rec.state.status === 'paused') await this.runtime.resume(rec.id).catch(() => undefined);
    this.emit(rec, 'kill', { signal: String(signal) });
    await this.runtime.kill(rec.id, signal).catch(() => undefined);
    if (!(await this.awaitExitFile(rec.id, timeout))) {
      this.emit(rec, 'kill', { signal: '9' });
      await this.runtime.kill(rec.id, 9, true).catch(() => undefined);
      if (!(await this.awaitExitFile(rec.id, 10_000))) throw new EngineError('internal', `container ${rec.name} did not exit after SIGKILL`);
    }
    await this.handleExit(rec.id);
    this.emit(rec, 'stop');
  }

  async kill(ref: string, sig: string | number): Promise<void> {
    const rec = this.find(ref);
    if (!live(rec.state.status)) throw new EngineError('conflict', `container ${rec.name} is not running`);
    const signal = signalNumber(sig);
    if (signal === 9 || signal === signalNumber(rec.resolved.stopSignal)) await this.markStoppedByUser(rec.id);
    this.emit(rec, 'kill', { signal: String(signal) });
    await this.runtime.kill(rec.id, signal);
  }

  async restart(ref: string, timeoutSec?: number): Promise<void> {
    const rec = this.find(ref);
    if (live(rec.state.status)) await this.stop(rec.id, timeoutSec);
    await this.withLock(rec.id, () => this.startLocked(rec.id));
    this.emit(this.repo.get(rec.id)!, 'restart');
  }

  pause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.withLock(rec.id, async () => {
      const now = this.repo.get(rec.id)!;
      if (now.state.status !== 'running') throw new EngineError('conflict', `container ${now.name} is not running`);
      await this.runtime.pause(now.id);
      this.transition(now, 'paused', 'pause');
    });
  }

  unpause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.withLock(rec.id, async () => {
      const now = this.repo.get(rec.id)!;
      if (now.state.status !== 'paused') throw new EngineError('conflict', `container ${now.name} is not paused`);
      await this.runtime.resume(now.id);
      this.transition(now, 'running', 'unpause');
    });
  }

  // ---- rename ---------------------------------------------------------------------------------------------

  /** docker rename: a new name for the container, and its DNS name on its networks (at once when running). */
  rename(ref: string, newName: string): Promise<void> {
    const rec = this.find(ref);
    const name = newName.replace(/^\//, '');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalid(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    return this.withLock(rec.id, async () => {
      const now = this.repo.get(rec.id);
      if (!now) throw notFound(`No such container: ${ref}`);
      if (now.name === name) throw invalid(`Renaming a container with the same name as its current name`);
      const owner = this.repo.nameTaken(name) ? this.repo.find(name) : null;
      if (owner) {
        throw new EngineError('conflict', `Conflict. The container name "/${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      const oldName = now.name;
      now.name = name;
      now.config = { ...now.config, name };
      this.repo.rename(now);
      await this.ctx.networks?.renamed(now.id, oldName, name).catch((err: Error) => this.ctx.log.warn(`renaming ${name} in DNS: ${err.message}`));
      this.emit(now, 'rename', { oldName: `/${oldName}` });
      this.notify(now.id);
    });
  }

  // ---- remove ---------------------------------------------------------------------------------------------

  async remove(ref: string, force: boolean, volumes = false): Promise<void> {
    const rec = this.find(ref);
    if (live(rec.state.status)) {
      if (!force) {
        throw new EngineError('conflict', `You cannot remove a ${rec.state.status} container ${rec.id.slice(0, 12)}. Stop the container before attempting removal or force remove`);
      }
      this.noPolicy.add(rec.id);
      try {
        await this.runtime.kill(rec.id, 9, true).catch(() => undefined);
        await this.awaitExitFile(rec.id, 10_000);
        await this.handleExit(rec.id);
      } finally {
        this.noPolicy.delete(rec.id);
      }
    }
    await this.withLock(rec.id, () => this.removeLocked(rec.id, force, volumes));
  }

  /** `volumes`: also remove the container's anonymous volumes (rm -v, --rm). */
  private async removeLocked(id: string, force: boolean, volumes = false) {
    const rec = this.repo.get(id);
    if (!rec) return;
    if (live(rec.state.status) && !force) throw new EngineError('conflict', `container ${rec.name} is running`);
    this.cancelRestart(id);
    // Already `removing` means a removal the previous engine did not finish: carry on with it.
    if (rec.state.status !== 'removing') {
      checkTransition(rec, 'removing');
      rec.state.status = 'removing';
      this.repo.saveState(rec);
    }
    const layout = containerLayout(this.ctx.paths, id);
    try {
      await this.cleanupRuntime(rec);
      await checkRemovable(this.tryRuntime(), rec.id, layout.dir);
      fs.rmSync(layout.dir, { recursive: true, force: true });
    } catch (err) {
      // Cleanup that fails leaves the container dead with the reason recorded; rm -f tries again.
      const message = err instanceof Error ? err.message : String(err);
      rec.state.error = message;
      this.transition(rec, 'dead', 'dead', { error: message });
      throw new EngineError('internal', `Could not remove container ${rec.name}: ${message}`);
    }
    fs.rmSync(layout.exitFile, { force: true });
    if (rec.resolved.imageId) this.ctx.images?.removeUser(rec.resolved.imageId, id);
    this.repo.delete(id);
    this.mounts.removed(id, volumes);
    this.emit(rec, 'destroy');
    this.notify(id);
    this.dies.delete(id);
    this.quickDeaths.delete(id);
    setTimeout(() => this.lastExit.delete(id), 60_000).unref();
  }

  // ---- queries --------------------------------------------------------------------------------------------

  list(all: boolean, filters: z.output<typeof ListFilters>, opts: { last?: number; size?: boolean } = {}): ContainerSummary[] {
    const labelMatch = (rec: ContainerRecord, f: string) => {
      const eq = f.indexOf('=');
      return eq < 0 ? f in rec.config.labels : rec.config.labels[f.slice(0, eq)] === f.slice(eq + 1);
    };
    // A status filter and --last show every state, as in docker (exited= still needs -a there).
    const everyState = all || !!filters.status?.length || !!opts.last;
    const recs = this.repo.all();
    const matched = applyExtraFilters(recs, filters, {
      health: (r) => (live(r.state.status) ? this.health?.get(r.id)?.status : undefined) ?? 'none',
      mounts: (r) => this.mounts.inspect(r.id),
      find: (ref) => this.find(ref),
    })
      .filter((r) => everyState || live(r.state.status))
      .filter((r) => !filters.status?.length || filters.status.includes(r.state.status))
      .filter((r) => !filters.name?.length || filters.name.some((n) => r.name.includes(n.replace(/^\//, ''))))
      .filter((r) => !filters.id?.length || filters.id.some((i) => r.id.startsWith(i)))
      .filter((r) => !filters.label?.length || filters.label.every((l) => labelMatch(r, l)));
    return (opts.last ? matched.slice(0, opts.last) : matched).map((r) => ({
      ...this.summary(r),
      ...(opts.size ? { sizeRw: r.config.rootfs ? 0 : treeSize(overlayDirs(containerLayout(this.ctx.paths, r.id).dir).upper) } : {}),
    }));
  }

  summary(r: ContainerRecord): ContainerSummary {
    return {
      id: r.id,
      name: r.name,
      image: shownImage(r),
      command: commandText(r.resolved.args),
      created: r.created,
      state: r.state.status,
      status: this.restartPending(r.id) ? `Restarting (${r.state.exitCode})` : withHealth(statusText(r), live(r.state.status) ? this.health?.get(r.id) : undefined),
      exitCode: r.state.exitCode,
      labels: r.config.labels,
      ports: publishedPorts(this.ctx, r.id),
    };
  }

  inspect(ref: string): ContainerInspect {
    const r = this.find(ref);
    const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '');
    const layout = containerLayout(this.ctx.paths, r.id);
    return {
      id: r.id,
      name: r.name,
      created: new Date(r.created).toISOString(),
      path: r.resolved.args[0] ?? '',
      args: r.resolved.args.slice(1),
      image: shownImage(r),
      imageId: r.resolved.imageId,
      rootfs: r.config.rootfs ?? `${layout.dir}/rootfs`,
      state: {
        status: r.state.status,
        running: live(r.state.status),
        paused: r.state.status === 'paused',
        restarting: this.restartPending(r.id),
        oomKilled: r.state.oomKilled,
        dead: r.state.status === 'dead',
        pid: r.state.pid,
        exitCode: r.state.exitCode,
        error: r.state.error,
        startedAt: iso(r.state.startedAt),
        finishedAt: iso(r.state.finishedAt),
        ...(this.health?.get(r.id) ? { health: this.health.get(r.id) } : {}),
      },
      restartCount: r.state.restartCount,
      logPath: layout.logPath,
      mounts: this.mounts.inspect(r.id),
      config: r.config,
      networkSettings: networkSettings(this.ctx, r),
    };
  }

  async wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed', signal: AbortSignal): Promise<number> {
    // An --rm container can be gone before its client's wait arrives: its exit code is still known by full id.
    const removedCode = this.lastExit.get(ref);
    if (removedCode !== undefined && condition !== 'next-exit' && !this.repo.get(ref)) return removedCode;
    const rec = this.find(ref);
    const startDies = this.dies.get(rec.id) ?? 0;
    let lastCode = rec.state.exitCode;
    for (;;) {
      const now = this.repo.get(rec.id);
      lastCode = now ? now.state.exitCode : (this.lastExit.get(rec.id) ?? lastCode);
      if (condition === 'removed' && !now) return lastCode;
      if (condition === 'next-exit' && (this.dies.get(rec.id) ?? 0) > startDies) return lastCode;
      if (condition === 'not-running' && (!now || (!live(now.state.status) && !this.restartPending(rec.id)))) return lastCode;
      if (condition !== 'removed' && !now) throw notFound(`No such container: ${ref} (removed while waiting)`);
      if (signal.aborted) throw new EngineError('cancelled', 'wait cancelled');
      // The poll bound covers an exit whose notification was missed.
      await this.changed(rec.id, signal, 1000);
      if (now && live(now.state.status)) this.watcher.sweep();
    }
  }

  isRunning(id: string): boolean {
    const r = this.repo.get(id);
    return !!r && (live(r.state.status) || this.restartPending(id));
  }

  counts() {
    const by = this.repo.countByStatus();
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    return { containers: total, running: by.running ?? 0, paused: by.paused ?? 0, stopped: total - (by.running ?? 0) - (by.paused ?? 0) };
  }

  // ---- engine start / stop --------------------------------------------------------------------------------

  /** Design §6: boot id changed → exited; exit file → exited with its code; conmon alive → running; else runc state. */
  async reconcile(): Promise<void> {
    const boot = bootId();
    if (!this.tryRuntime()) this.ctx.log.warn('no OCI runtime found (install the Debian package "runc"): containers cannot start');
    const diedWhileDown = new Set<string>();
    for (const rec of this.repo.all()) {
      // One container that cannot be reconciled must not keep the engine (and every other container) down.
      await this.withLock(rec.id, async () => {
        const layout = containerLayout(this.ctx.paths, rec.id);
        if (rec.state.status === 'removing') {
          await this.removeLocked(rec.id, true);
          return;
        }
        if (!live(rec.state.status)) {
          // A start interrupted by an engine crash may have left a runtime container, conmon or mount.
          if (rec.state.status === 'created' || rec.state.status === 'exited') {
            const state = await (this.tryRuntime()?.state(rec.id) ?? Promise.resolve(null)).catch(() => null);
            if (state || fs.existsSync(`${layout.dir}/conmon.pid`) || isMounted(`${layout.dir}/rootfs`)) {
              await this.tryRuntime()?.kill(rec.id, 9, true).catch(() => undefined);
              await killStrayConmon(`${layout.dir}/conmon.pid`, rec.id);
              await this.cleanupRuntime(rec);
              fs.rmSync(`${layout.dir}/conmon.pid`, { force: true });
            }
          }
          return;
        }
        if (rec.state.bootId && rec.state.bootId !== boot) {
          const code = readExitFile(layout.exitFile);
          await this.cleanupRuntime(rec);
          this.recordExit(rec, code ?? 255, Date.now(), false, code === null ? 'the host restarted while the container ran' : '');
          diedWhileDown.add(rec.id);
          return;
        }
        const code = readExitFile(layout.exitFile);
        if (code !== null) {
          await this.cleanupRuntime(rec);
          this.recordExit(rec, code, fs.statSync(layout.exitFile).mtimeMs, oomFileExists(layout));
          diedWhileDown.add(rec.id);
          return;
        }
        if (isAlive(rec.state.conmonPid, rec.state.conmonStartTime)) return; // still running: the watcher covers it
        const state = await (this.tryRuntime()?.state(rec.id) ?? Promise.resolve(null)).catch(() => null);
        if (state && (state.status === 'running' || state.status === 'paused')) {
          // Alive but unmonitored (its conmon died): nobody captures its output or exit code; stop it.
          await this.tryRuntime()?.kill(rec.id, 9, true).catch(() => undefined);
        }
        await this.cleanupRuntime(rec);
        this.recordExit(rec, 255, Date.now(), false, 'the container monitor (conmon) died');
        diedWhileDown.add(rec.id);
      }).catch((err: Error) => this.ctx.log.warn(`reconciling container ${rec.name}: ${err.message}`));
    }
    for (const rec of this.repo.all()) {
      if (rec.config.autoRemove && rec.state.status === 'exited' && diedWhileDown.has(rec.id)) {
        await this.withLock(rec.id, () => this.removeLocked(rec.id, true, true)).catch((err: Error) => this.ctx.log.warn(`removing ${rec.name}: ${err.message}`));
      } else if (restartOnEngineStart(rec)) {
        await this.withLock(rec.id, async () => {
          rec.state.restartCount += 1;
          this.repo.saveState(rec);
          await this.startLocked(rec.id, true);
        }).catch((err: Error) => this.ctx.log.warn(`restarting ${rec.name}: ${err.message}`));
      }
    }
    this.watcher.start();
    this.watcher.sweep();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.watcher.stop();
    for (const t of this.restartTimers.values()) clearTimeout(t);
    this.restartTimers.clear();
    await Promise.all([...this.locks.values()]);
  }
}
