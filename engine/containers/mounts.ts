// A container's mounts: at create, check every -v/--mount/--tmpfs and the image's VOLUMEs and create the volumes
// they need (the plan is stored with the volumes, so a referenced volume is in use); at start, turn the plan into
// OCI mounts, creating -v host dirs and copying the image's content into new, empty volumes. Bind sources are
// checked at both points: an absolute path, never `/` itself, never the engine's data root or anything that
// resolves into it through symlinks.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineError, invalid, unavailable } from '../api/errors';
import type { ContainerConfig, Mount, MountPoint } from '../api/containers';
import type { EngineContext } from '../context';
import type { OciMount } from '../runtime/spec';
import type { VolumeManager } from '../volumes/manager';
import type { PlannedMount } from '../volumes/types';
import { volumeNameProblem } from '../volumes/names';

const run = promisify(execFile);

const forbidden = (message: string) => new EngineError('forbidden', message);

/** realpath of the longest existing prefix, with the missing rest appended (a -v dir not made yet). */
function realpathLoose(p: string): string {
  let existing = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch {
      if (existing === '/') return p;
      rest.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
}

/** Throws unless `source` may be bind-mounted; returns it normalised. */
export function checkBindSource(source: string, engineRoot: string, mustExist: boolean): string {
  if (!path.isAbsolute(source)) {
    throw invalid(`invalid mount config for type "bind": bind source "${source}" is not an absolute path: give the full host path (e.g. ${path.resolve(source)})`);
  }
  const norm = path.resolve(source);
  const real = realpathLoose(norm);
  if (norm === '/' || real === '/') throw forbidden(`refusing to bind-mount the host's root directory into a container (source "${source}")`);
  const root = realpathLoose(path.resolve(engineRoot));
  if (real === root || real.startsWith(`${root}/`)) {
    throw forbidden(`refusing to bind-mount "${source}": it ${real === norm ? 'is' : 'resolves'} inside the engine's data root ${root}; use a volume instead`);
  }
  if (mustExist && !fs.existsSync(norm)) throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  return norm;
}

/** The propagation of the host mount that holds `p` ("shared", "slave" or "private"), from /proc/self/mountinfo. */
export function hostPropagation(p: string): 'shared' | 'slave' | 'private' {
  const real = realpathLoose(p);
  let best: { point: string; fields: string[] } | null = null;
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const point = (fields[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (!point || !(real === point || real.startsWith(point === '/' ? '/' : `${point}/`))) continue;
    if (!best || point.length >= best.point.length) best = { point, fields: fields.slice(6, fields.indexOf('-')) };
  }
  if (best?.fields.some((f) => f.startsWith('shared:'))) return 'shared';
  if (best?.fields.some((f) => f.startsWith('master:'))) return 'slave';
  return 'private';
}

/** Docker's rule: shared propagation needs a shared host mount, slave needs a shared or slave one. */
function checkPropagation(source: string, propagation: Mount['bindPropagation']) {
  if (!propagation || propagation.endsWith('private')) return;
  const host = hostPropagation(source);
  if (propagation.endsWith('shared') && host !== 'shared') {
    throw invalid(`bind-propagation=${propagation} needs ${source} to be on a shared mount, and it is ${host} on the host (make it shared: mount --make-rshared on its mount point)`);
  }
  if (propagation.endsWith('slave') && host === 'private') {
    throw invalid(`bind-propagation=${propagation} needs ${source} to be on a shared or slave mount, and it is private on the host (mount --make-rshared on its mount point)`);
  }
}

/** Resolves `target` inside `root` the way the container will see it: symlinks never lead out of root. */
export function resolveInRoot(root: string, target: string): string {
  const parts = target.split('/').filter(Boolean);
  let cur: string[] = [];
  let links = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const st = fs.lstatSync(path.join(root, ...cur, part), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      if (++links > 40) throw invalid(`too many levels of symbolic links resolving ${target} in the root filesystem`);
      const link = fs.readlinkSync(path.join(root, ...cur, part));
      if (link.startsWith('/')) cur = [];
      parts.unshift(...link.split('/').filter(Boolean));
      continue;
    }
    cur.push(part);
  }
  return path.join(root, ...cur);
}

const isEmptyDir = (dir: string) => fs.readdirSync(dir).length === 0;

export class ContainerMounts {
  /** Containers whose volume mounts got a `mount` event and no `unmount` yet. */
  private readonly active = new Map<string, PlannedMount[]>();

  constructor(private readonly ctx: EngineContext) {}

  private get volumes(): VolumeManager {
    if (!this.ctx.volumes) throw unavailable('volumes are not available in this engine');
    return this.ctx.volumes;
  }

  /**
   * At create: checks every mount first (nothing is made when one is wrong), then creates the named and
   * anonymous volumes and records the plan under the container's id.
   */
  async create(containerId: string, config: ContainerConfig, imageId: string): Promise<PlannedMount[]> {
    const seen = new Set<string>();
    const checked: Mount[] = [];
    for (const m of config.mounts) {
      const target = path.posix.normalize(m.target).replace(/(.)\/$/, '$1');
      if (target === '/') throw invalid(`invalid mount config for type "${m.type}": the target cannot be "/"`);
      if (seen.has(target)) throw invalid(`Duplicate mount point: ${target}`);
      seen.add(target);
      if (m.type === 'bind') {
        checked.push({ ...m, target, source: checkBindSource(m.source, this.ctx.paths.root, !m.createHostPath) });
        checkPropagation(m.source, m.bindPropagation);
      } else if (m.type === 'volume') {
        const problem = m.source ? volumeNameProblem(m.source) : null;
        if (problem) throw invalid(`invalid mount config for type "volume": ${problem}`);
        checked.push({ ...m, target });
      } else {
        if (m.source) throw invalid(`invalid mount config for type "tmpfs": a tmpfs mount takes no source (got "${m.source}")`);
        checked.push({ ...m, target });
      }
    }
    // The image's VOLUMEs get an anonymous volume each, unless a mount of the user already covers the path.
    const imageVolumes = imageId && this.ctx.images ? Object.keys((await this.ctx.images.resolve(imageId)).config.Volumes ?? {}) : [];
    const fromImage = imageVolumes.map((p) => path.posix.normalize(p).replace(/(.)\/$/, '$1')).filter((p) => p !== '/' && !seen.has(p));
    const plan: PlannedMount[] = [];
    for (const m of checked) {
      if (m.type !== 'volume') plan.push(m);
      else if (m.source) plan.push({ ...m, source: this.volumes.ensure(m.source).name });
      else plan.push({ ...m, source: this.volumes.createAnonymous().name, anonymous: true });
    }
    for (const target of new Set(fromImage)) {
      plan.push({ type: 'volume', source: this.volumes.createAnonymous().name, target, readOnly: false, createHostPath: false, noCopy: false, anonymous: true, fromImage: true });
    }
    this.volumes.setContainerMounts(containerId, plan);
    return plan;
  }

  /** At start, once the root filesystem is mounted: the OCI mounts, after creating -v dirs and copying up. */
  async prepare(containerId: string, rootfs: string): Promise<OciMount[]> {
    if (!this.ctx.volumes) return [];
    const plan = this.volumes.containerMounts(containerId);
    const out: OciMount[] = [];
    for (const m of plan) {
      const mode = m.readOnly ? 'ro' : 'rw';
      if (m.type === 'bind') {
        const source = checkBindSource(m.source, this.ctx.paths.root, !m.createHostPath);
        if (!fs.existsSync(source)) fs.mkdirSync(source, { recursive: true, mode: 0o755 });
        checkPropagation(source, m.bindPropagation);
        out.push({ destination: m.target, type: 'bind', source, options: ['rbind', mode, m.bindPropagation ?? 'rprivate'] });
      } else if (m.type === 'volume') {
        const data = this.volumes.dataDir(this.volumes.get(m.source).name);
        fs.mkdirSync(data, { recursive: true, mode: 0o755 });
        if (!m.noCopy) await this.copyUp(rootfs, m.target, data);
        out.push({ destination: m.target, type: 'bind', source: data, options: ['rbind', mode, 'rprivate'] });
      } else {
        const opts = ['nosuid', 'nodev', 'noexec', mode];
        if (m.tmpfsSizeBytes) opts.push(`size=${m.tmpfsSizeBytes}`);
        if (m.tmpfsMode !== undefined) opts.push(`mode=${m.tmpfsMode.toString(8).padStart(4, '0')}`);
        out.push({ destination: m.target, type: 'tmpfs', source: 'tmpfs', options: opts });
      }
    }
    const volumeMounts = plan.filter((m) => m.type === 'volume');
    for (const m of volumeMounts) this.volumes.mounted(containerId, m);
    if (volumeMounts.length) this.active.set(containerId, volumeMounts);
    return out;
  }

  /** Docker's copy-up: a new (empty) volume gets what the image has at the target, ownership and modes kept. */
  private async copyUp(rootfs: string, target: string, data: string) {
    if (!isEmptyDir(data)) return;
    const src = resolveInRoot(rootfs, target);
    if (!fs.statSync(src, { throwIfNoEntry: false })?.isDirectory()) return;
    try {
      await run('cp', ['-a', '--', `${src}/.`, `${data}/`]);
    } catch (err) {
      throw new EngineError('internal', `copying the image's ${target} into its volume failed: ${(err as { stderr?: string }).stderr || (err as Error).message}`);
    }
  }

  /** After the container stopped: `unmount` events for what `prepare` mounted (idempotent). */
  release(containerId: string): void {
    if (!this.ctx.volumes) return;
    const mounts = this.active.get(containerId) ?? this.mountedBeforeRestart(containerId);
    this.active.delete(containerId);
    for (const m of mounts) this.volumes.unmounted(containerId, m);
  }

  /** A container started by an earlier engine: its volumes whose last event for it in the log is `mount`. */
  private mountedBeforeRestart(containerId: string): PlannedMount[] {
    return this.volumes.containerMounts(containerId).filter((m) => {
      if (m.type !== 'volume') return false;
      const events = this.ctx.events.list({ filters: { type: ['volume'], actor: [m.source] }, limit: 50 });
      return events.find((e) => e.actor.attributes.container === containerId)?.action === 'mount';
    });
  }

  /** The container was removed: its volumes are no longer in use; `volumes` (rm -v, --rm) removes its anonymous ones. */
  removed(containerId: string, volumes: boolean): void {
    this.release(containerId);
    this.ctx.volumes?.containerRemoved(containerId, volumes);
  }

  /** docker inspect's Mounts. */
  inspect(containerId: string): MountPoint[] {
    if (!this.ctx.volumes) return [];
    return this.volumes.containerMounts(containerId).map((m) => ({
      type: m.type,
      name: m.type === 'volume' ? m.source : '',
      source: m.type === 'volume' ? this.volumes.dataDir(m.source) : m.type === 'bind' ? m.source : '',
      destination: m.target,
      driver: m.type === 'volume' ? 'local' : '',
      mode: m.readOnly ? 'ro' : '',
      rw: !m.readOnly,
      propagation: m.type === 'bind' ? (m.bindPropagation ?? 'rprivate') : '',
    }));
  }
}

/** The root's propagation docker picks for these mounts: rshared for any shared one, rslave for any slave one. */
export function rootfsPropagationFor(mounts: OciMount[]): 'rshared' | 'rslave' | undefined {
  const props = mounts.flatMap((m) => m.options ?? []);
  if (props.some((o) => o === 'shared' || o === 'rshared')) return 'rshared';
  if (props.some((o) => o === 'slave' || o === 'rslave')) return 'rslave';
  return undefined;
}
