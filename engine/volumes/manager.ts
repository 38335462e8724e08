// Local volumes: create (named or anonymous), list with filters, inspect, remove with in-use protection, prune,
// and the record of which container mounts which volume. Data lives under ROOT/volumes/NAME/_data like
// docker's local driver, so a volume is a plain directory the runtime bind-mounts.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError, invalid, notFound } from '../api/errors';
import { ANONYMOUS_VOLUME_LABEL, type VolumeFilters, type VolumeInfo } from '../api/volumes';
import type { EngineContext } from '../context';
import { VolumeRepo, type VolumeRecord } from './repo';
import { anonymousVolumeName, volumeNameProblem } from './names';
import type { PlannedMount } from './types';

/** Removed volumes' dirs on their way out (a name can never start with "."). */
const TRASH_PREFIX = '.removing-';

export interface CreateVolumeRequest {
  name?: string;
  driver?: string;
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

const labelMatches = (labels: Record<string, string>, filter: string) => {
  const eq = filter.indexOf('=');
  return eq < 0 ? filter in labels : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
};

function duBytes(dir: string): number {
  let total = 0;
  const walk = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else total += st.size;
  };
  walk(dir);
  return total;
}

export class VolumeManager {
  readonly repo: VolumeRepo;

  constructor(private readonly ctx: EngineContext) {
    this.repo = new VolumeRepo(ctx.store);
  }

  dir(name: string): string {
    return path.join(this.ctx.paths.volumes, name);
  }

  /** What containers see: ROOT/volumes/NAME/_data. */
  dataDir(name: string): string {
    return path.join(this.dir(name), '_data');
  }

  private emit(v: VolumeRecord, action: string, extra: Record<string, string> = {}) {
    this.ctx.events.append({ type: 'volume', action, actor: { id: v.name, attributes: { driver: v.driver, ...extra } } });
  }

  info(v: VolumeRecord): VolumeInfo {
    return {
      name: v.name,
      driver: v.driver,
      mountpoint: this.dataDir(v.name),
      created: v.created,
      labels: v.labels,
      scope: 'local',
      options: v.options,
      anonymous: v.anonymous,
      containers: this.repo.users(v.name),
    };
  }

  get(name: string): VolumeRecord {
    const v = this.repo.get(name);
    if (!v) throw notFound(`No such volume: ${name}`);
    return v;
  }

  /** Docker's answer for an existing name: the volume as it is (only a different driver is an error). */
  create(req: CreateVolumeRequest): VolumeInfo {
    const driver = req.driver ?? 'local';
    if (driver !== 'local') throw invalid(`volume driver "${driver}" is not supported: only the local driver is available`);
    const opts = Object.keys(req.options ?? {});
    if (opts.length) throw invalid(`the local volume driver here takes no options (got ${opts.join(', ')}): create the volume without --opt`);
    const anonymous = req.name === undefined || req.name === '';
    const name = anonymous ? anonymousVolumeName() : req.name!;
    const problem = volumeNameProblem(name);
    if (problem) throw invalid(`invalid volume name: ${problem}`);
    const existing = this.repo.get(name);
    if (existing) return this.info(existing);
    const v: VolumeRecord = {
      name,
      driver: 'local',
      labels: anonymous ? { ...req.labels, [ANONYMOUS_VOLUME_LABEL]: '' } : { ...req.labels },
      options: {},
      anonymous,
      created: Date.now(),
    };
    fs.mkdirSync(this.dir(name), { recursive: true, mode: 0o701 });
    fs.mkdirSync(this.dataDir(name), { recursive: true, mode: 0o755 });
    try {
      this.repo.insert(v);
    } catch (err) {
      fs.rmSync(this.dir(name), { recursive: true, force: true });
      throw err;
    }
    this.emit(v, 'create');
    return this.info(v);
  }

  list(filters: VolumeFilters = {}, usage = false): VolumeInfo[] {
    const used = this.repo.usedNames();
    return this.repo
      .all()
      .filter((v) => filters.dangling === undefined || filters.dangling === !used.has(v.name))
      .filter((v) => !filters.label?.length || filters.label.every((l) => labelMatches(v.labels, l)))
      .filter((v) => !filters.name?.length || filters.name.some((n) => v.name.includes(n)))
      .filter((v) => !filters.driver?.length || filters.driver.includes(v.driver))
      .map((v) => (usage ? { ...this.info(v), size: duBytes(this.dataDir(v.name)) } : this.info(v)));
  }

  inspect(name: string): VolumeInfo {
    return this.info(this.get(name));
  }

  /** Refused while any container (running or not) references it; `force` only turns a missing volume into success. */
  remove(name: string, force = false): void {
    const v = this.repo.get(name);
    if (!v) {
      if (force) return;
      throw notFound(`No such volume: ${name}`);
    }
    // The dir moves aside before the row goes: a crash in between never brings removed data back as a volume.
    const trash = path.join(this.ctx.paths.volumes, `${TRASH_PREFIX}${name}`);
    this.repo.transaction(() => {
      const users = this.repo.users(name);
      if (users.length) {
        throw new EngineError(
          'conflict',
          `remove ${name}: volume is in use by container ${users.map((u) => u.slice(0, 12)).join(', ')}: remove the container first (fd rm), then the volume`,
        );
      }
      fs.rmSync(trash, { recursive: true, force: true });
      if (fs.existsSync(this.dir(name))) fs.renameSync(this.dir(name), trash);
      this.repo.delete(name);
    });
    fs.rmSync(trash, { recursive: true, force: true });
    this.emit(v, 'destroy');
  }

  /** Unused volumes only; anonymous ones only unless `all` (docker ≥ 23). */
  prune(all: boolean, labels: string[] = []): { removed: string[]; spaceReclaimed: number } {
    const used = this.repo.usedNames();
    const removed: string[] = [];
    let spaceReclaimed = 0;
    for (const v of this.repo.all()) {
      if (used.has(v.name) || (!all && !v.anonymous)) continue;
      if (!labels.every((l) => (l.startsWith('!') ? !labelMatches(v.labels, l.slice(1)) : labelMatches(v.labels, l)))) continue;
      const size = duBytes(this.dataDir(v.name));
      try {
        this.remove(v.name);
      } catch (err) {
        // A container took it between the check and the removal: it is in use now, so it stays.
        if (err instanceof EngineError && err.code === 'conflict') continue;
        throw err;
      }
      removed.push(v.name);
      spaceReclaimed += size;
    }
    return { removed, spaceReclaimed };
  }

  /**
   * Engine start: finish removals a crash interrupted, and adopt volume dirs whose row never landed (a crash
   * between mkdir and insert), like docker's local driver, which takes its dirs as the truth.
   */
  reconcile(): void {
    this.repo.dropOrphanMounts();
    for (const entry of fs.readdirSync(this.ctx.paths.volumes, { withFileTypes: true })) {
      if (entry.name.startsWith(TRASH_PREFIX)) fs.rmSync(path.join(this.ctx.paths.volumes, entry.name), { recursive: true, force: true });
      else if (entry.isDirectory() && !volumeNameProblem(entry.name) && !this.repo.get(entry.name)) {
        const anonymous = /^[0-9a-f]{64}$/.test(entry.name);
        fs.mkdirSync(this.dataDir(entry.name), { recursive: true, mode: 0o755 });
        this.repo.insert({
          name: entry.name,
          driver: 'local',
          labels: anonymous ? { [ANONYMOUS_VOLUME_LABEL]: '' } : {},
          options: {},
          anonymous,
          created: Math.round(fs.statSync(this.dir(entry.name)).mtimeMs),
        });
        this.ctx.log.warn(`volume ${entry.name}: its directory had no record (interrupted create?); adopted it`);
      }
    }
  }

  // ---- what the container lifecycle records ---------------------------------------------------------------

  /** A volume a mount names: created on demand, as `docker run -v NAME:/p` does. */
  ensure(name: string): VolumeRecord {
    const existing = this.repo.get(name);
    if (existing) return existing;
    this.create({ name });
    return this.get(name);
  }

  createAnonymous(): VolumeRecord {
    return this.get(this.create({}).name);
  }

  setContainerMounts(containerId: string, mounts: PlannedMount[]): void {
    this.repo.setMounts(containerId, mounts);
  }

  containerMounts(containerId: string): PlannedMount[] {
    return this.repo.mounts(containerId);
  }

  /** The container is gone: forget its mounts; with `removeAnonymous`, remove its anonymous volumes nobody else uses. */
  containerRemoved(containerId: string, removeAnonymous: boolean): void {
    const mounts = this.repo.mounts(containerId);
    this.repo.deleteMounts(containerId);
    if (!removeAnonymous) return;
    for (const m of mounts) {
      if (m.type !== 'volume') continue;
      const v = this.repo.get(m.source);
      if (!v?.anonymous || this.repo.users(v.name).length) continue;
      this.remove(v.name, true);
    }
  }

  mounted(containerId: string, m: PlannedMount): void {
    const v = this.repo.get(m.source);
    if (!v) return;
    this.emit(v, 'mount', {
      container: containerId,
      destination: m.target,
      'read/write': String(!m.readOnly),
      propagation: m.bindPropagation ?? '',
    });
  }

  unmounted(containerId: string, m: PlannedMount): void {
    const v = this.repo.get(m.source);
    if (v) this.emit(v, 'unmount', { container: containerId });
  }
}
