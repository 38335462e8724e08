// Container filesystem access for running and stopped containers (issue #5, docker cp/diff for issue #7).
// Where the files are: a running container's own view through /proc/PID/root (its volumes and tmpfs
// included); a stopped image container's overlay, mounted for the operation at the place `start` would mount
// it and unmounted after unless the container started meanwhile; a --rootfs container's directory. Every path
// is then resolved inside that root with chroot semantics (files-path.ts). A running container is frozen
// while its files are used, as podman cp does: otherwise its processes could swap a checked directory for a
// link between our lookup and our open (CVE-2018-15664) and steer us onto the host's files.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, notFound } from '../api/errors';
import type { DirEntry, FileChange, FileStat } from '../api/container-files';
import { MAX_READ_BYTES } from '../api/container-files';
import type { EngineContext } from '../context';
import { isMounted, mountOverlay, overlayDirs, unmountOverlay } from '../runtime/overlay';
import type { ContainerManager } from './manager';
import type { ContainerRecord } from './record';
import { containerLayout } from './layout';
import { kindOf, resolveInRoot, resolveRequested, viewOf, type MountView, type Resolved, type Root } from './files-path';
import { extractTar, packTree } from './files-tar';
import { diffUpper, mountPoints } from './files-diff';

const live = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused';

/** Files the engine writes for every container and bind-mounts in: never the container's own changes. */
const ENGINE_FILES = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

interface RootHandle {
  root: Root;
  release(): Promise<void>;
}

export interface PutOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

function statOf(name: string, st: fs.Stats, link?: string): DirEntry {
  return {
    name,
    type: kindOf(st),
    size: st.isFile() || st.isSymbolicLink() ? st.size : st.isDirectory() ? st.size : 0,
    mode: st.mode & 0o7777,
    mtime: st.mtimeMs,
    uid: st.uid,
    gid: st.gid,
    ...(link !== undefined ? { link } : {}),
  };
}

/** Docker's name for what a request asked for: the base name, '.' for DIR/. and the root. */
export function requestedBase(p: string): string {
  if (p.endsWith('/.') || p === '.' || path.posix.normalize(`/${p}`) === '/') return '.';
  return path.posix.basename(path.posix.normalize(`/${p}`));
}

const ERRNO_CODES: Record<string, 'invalid' | 'forbidden' | 'not_found' | 'conflict'> = {
  EROFS: 'forbidden',
  EACCES: 'forbidden',
  EPERM: 'forbidden',
  ENOENT: 'not_found',
  ENOTDIR: 'invalid',
  EISDIR: 'invalid',
  ELOOP: 'invalid',
  EEXIST: 'conflict',
  ENOTEMPTY: 'conflict',
  ENOSPC: 'conflict',
};

/** A system error names host paths (/proc/PID/root/...): say it with container paths and a typed code. */
function inContainerTerms(err: unknown, root: Root, rec: ContainerRecord): unknown {
  if (err instanceof EngineError || !(err instanceof Error)) return err;
  const errno = (err as NodeJS.ErrnoException).code ?? '';
  const message = err.message.split(viewOf(root).root).join('');
  return new EngineError(ERRNO_CODES[errno] ?? 'internal', `container ${rec.name}: ${message}`);
}

export class ContainerFiles {
  /** Operations holding a stopped container's overlay mount, per container id. */
  private readonly mountUsers = new Map<string, number>();
  /** Mounts and unmounts per container run one at a time: a second copy never races the first one's mount. */
  private readonly mountQueue = new Map<string, Promise<unknown>>();
  /** Operations holding a running container frozen, per container id (the freeze is theirs only when set). */
  private readonly freezeUsers = new Map<string, { count: number; frozen: boolean }>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly manager: ContainerManager,
  ) {}

  private notFoundIn(rec: ContainerRecord, p: string) {
    return notFound(`Could not find the file ${p} in container ${rec.name}`);
  }

  /** The container's root as the container sees it, held until release(). */
  private async acquire(rec: ContainerRecord, write: boolean): Promise<RootHandle> {
    const none = async () => undefined;
    if (live(rec) && rec.state.pid > 0) {
      const root = `/proc/${rec.state.pid}/root`;
      if (!fs.existsSync(root)) throw new EngineError('conflict', `container ${rec.name} is stopping: try again once it has stopped`);
      // Paused by its user: already frozen, and left as it is.
      return { root, release: rec.state.status === 'running' ? await this.freeze(rec) : none };
    }
    if (write && rec.config.readOnlyRootfs) {
      throw new EngineError('forbidden', `container ${rec.name} has a read-only root filesystem: copy into one of its volumes instead`);
    }
    // Not running: its volumes and binds are not mounted anywhere, so paths under their targets map to them here.
    const mounts = this.mountViews(rec);
    if (rec.config.rootfs) return { root: { root: rec.config.rootfs, mounts }, release: none };
    const layout = containerLayout(this.ctx.paths, rec.id);
    const root = await this.serial(rec.id, async () => {
      this.mountUsers.set(rec.id, (this.mountUsers.get(rec.id) ?? 0) + 1);
      try {
        return await mountOverlay(layout.dir, rec.resolved.lowerDirs);
      } catch (err) {
        this.dropUser(rec.id);
        throw err;
      }
    });
    return {
      root: { root, mounts },
      release: () =>
        this.serial(rec.id, async () => {
          if (this.dropUser(rec.id) > 0) return;
          // Started meanwhile: the mount is the running container's now, and its exit unmounts it.
          const now = this.manager.repo.get(rec.id);
          if (now && !live(now) && now.state.status !== 'removing') await unmountOverlay(layout.dir);
        }),
    };
  }

  /**
   * Engine start: a container the engine believes running but the runtime reports paused was frozen by a copy
   * the previous engine did not finish (a user's pause shows as `paused` in the engine too): thaw it.
   */
  async thawLeftovers(): Promise<void> {
    const running = this.manager.repo.all().filter((r) => r.state.status === 'running');
    if (!running.length) return;
    let runtime: ContainerManager['runtime'];
    try {
      runtime = this.manager.runtime;
    } catch {
      return; // no runtime installed: nothing can be frozen either
    }
    for (const rec of running) {
      const state = await runtime.state(rec.id).catch(() => null);
      if (state?.status !== 'paused') continue;
      await runtime.resume(rec.id).catch((err: Error) => this.ctx.log.warn(`thawing ${rec.name}: ${err.message}`));
      this.ctx.log.info(`thawed ${rec.name}: a file copy of the previous engine left it frozen`);
    }
  }

  /** The container's bind and volume mounts as host directories (tmpfs has nothing while it is stopped). */
  private mountViews(rec: ContainerRecord): MountView[] {
    const volumes = this.ctx.volumes;
    if (!volumes) return [];
    return volumes
      .containerMounts(rec.id)
      .filter((m) => m.type === 'bind' || (m.type === 'volume' && m.source))
      .map((m) => ({
        target: path.posix.normalize(m.target).replace(/(.)\/$/, '$1'),
        source: m.type === 'bind' ? m.source : volumes.dataDir(m.source),
        readOnly: m.readOnly,
      }));
  }

  /** Freezes a running container (shared by concurrent operations); returns the thaw. */
  private async freeze(rec: ContainerRecord): Promise<() => Promise<void>> {
    await this.serial(rec.id, async () => {
      const users = this.freezeUsers.get(rec.id) ?? { count: 0, frozen: false };
      this.freezeUsers.set(rec.id, users);
      if (users.count++ > 0) return;
      try {
        await this.manager.runtime.pause(rec.id);
        users.frozen = true;
      } catch (err) {
        // Without a freezer (rootless without cgroups) the copy still goes ahead, resolved the same careful way.
        this.ctx.log.warn(`could not freeze ${rec.name} while using its files: ${(err as Error).message}`);
      }
    });
    return () =>
      this.serial(rec.id, async () => {
        const users = this.freezeUsers.get(rec.id);
        if (!users || --users.count > 0) return;
        this.freezeUsers.delete(rec.id);
        if (users.frozen) await this.manager.runtime.resume(rec.id).catch((err: Error) => this.ctx.log.warn(`thawing ${rec.name}: ${err.message}`));
      });
  }

  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.mountQueue.get(id) ?? Promise.resolve()).catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.mountQueue.set(id, tail);
    void tail.then(() => {
      if (this.mountQueue.get(id) === tail) this.mountQueue.delete(id);
    });
    return next;
  }

  private dropUser(id: string): number {
    const n = (this.mountUsers.get(id) ?? 1) - 1;
    if (n <= 0) this.mountUsers.delete(id);
    else this.mountUsers.set(id, n);
    return n;
  }

  private async withRoot<T>(ref: string, write: boolean, fn: (root: Root, rec: ContainerRecord) => Promise<T> | T): Promise<T> {
    const rec = this.manager.find(ref);
    const handle = await this.acquire(rec, write);
    try {
      return await fn(handle.root, rec);
    } catch (err) {
      throw inContainerTerms(err, handle.root, rec);
    } finally {
      await handle.release();
    }
  }

  /** lstat semantics for the final component (docker's ContainerStatPath). */
  stat(ref: string, p: string): Promise<FileStat> {
    return this.withRoot(ref, false, (root, rec) => this.statIn(root, rec, p).stat);
  }

  private statIn(root: Root, rec: ContainerRecord, p: string): { stat: FileStat; resolved: Resolved } {
    const r = resolveRequested(root, p);
    if (!r.stat) throw this.notFoundIn(rec, p);
    const base = requestedBase(p);
    if (!r.stat.isSymbolicLink()) return { stat: statOf(base === '.' ? path.posix.basename(r.path) || '/' : base, r.stat), resolved: r };
    const link = fs.readlinkSync(r.host);
    let linkTarget = r.path;
    try {
      linkTarget = resolveInRoot(root, r.path, true).path;
    } catch {
      // A dangling or looping link: docker reports the link's own path then.
    }
    return { stat: { ...statOf(base, r.stat, link), linkTarget }, resolved: r };
  }

  listDir(ref: string, p: string): Promise<{ path: string; entries: DirEntry[] }> {
    return this.withRoot(ref, false, async (root, rec) => {
      const dir = resolveInRoot(root, p, true);
      if (!dir.stat) throw this.notFoundIn(rec, p);
      if (!dir.stat.isDirectory()) throw new EngineError('invalid', `${p} is not a directory in container ${rec.name}`);
      const entries: DirEntry[] = [];
      for (const name of (await fsp.readdir(dir.host)).sort()) {
        const abs = path.join(dir.host, name);
        const st = await fsp.lstat(abs).catch(() => null);
        if (!st) continue; // removed while listing
        entries.push(statOf(name, st, st.isSymbolicLink() ? await fsp.readlink(abs) : undefined));
      }
      return { path: dir.path, entries };
    });
  }

  readFile(ref: string, p: string, offset: number, length: number): Promise<{ data: string; size: number; eof: boolean }> {
    return this.withRoot(ref, false, async (root, rec) => {
      const r = resolveInRoot(root, p, true);
      if (!r.stat) throw this.notFoundIn(rec, p);
      if (!r.stat.isFile()) throw new EngineError('invalid', `${p} is not a regular file in container ${rec.name}`);
      const fh = await fsp.open(r.host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        const size = (await fh.stat()).size;
        const want = Math.max(0, Math.min(length, MAX_READ_BYTES, size - offset));
        const buf = Buffer.alloc(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return { data: buf.subarray(0, got).toString('base64'), size, eof: offset + got >= size };
      } finally {
        await fh.close();
      }
    });
  }

  /**
   * The tar of a path (docker's GET /archive). Nothing is mounted or resolved until the first pull, and the
   * root is held until the consumer finishes or goes away, so an abandoned stream leaks nothing.
   */
  async *archive(ref: string, p: string): AsyncGenerator<Buffer> {
    const rec = this.manager.find(ref);
    const handle = await this.acquire(rec, false);
    try {
      const { resolved } = this.statIn(handle.root, rec, p);
      this.manager.emit(rec, 'archive-path');
      yield* packTree(resolved.host, requestedBase(p), { view: viewOf(handle.root), path: resolved.path });
    } catch (err) {
      throw inContainerTerms(err, handle.root, rec);
    } finally {
      await handle.release();
    }
  }

  /** Extracts a tar into directory `p` (docker's PUT /archive). */
  extract(ref: string, p: string, tar: AsyncIterable<Buffer>, options: PutOptions): Promise<number> {
    return this.withRoot(ref, true, async (root, rec) => {
      const dest = resolveInRoot(root, p, true);
      if (!dest.stat) throw this.notFoundIn(rec, p);
      if (!dest.stat.isDirectory()) throw new EngineError('invalid', `extraction point ${p} is not a directory in container ${rec.name}`);
      const asRoot = process.getuid?.() === 0;
      const n = await extractTar(tar, {
        root,
        dest: dest.path,
        owners: !asRoot ? 'none' : options.copyUIDGID ? 'keep' : 'root',
        noOverwriteDirNonDir: options.noOverwriteDirNonDir,
      });
      this.manager.emit(rec, 'extract-to-dir');
      return n;
    });
  }

  diff(ref: string): FileChange[] {
    const rec = this.manager.find(ref);
    if (rec.config.rootfs) {
      throw new EngineError('unsupported', `container ${rec.name} runs from --rootfs ${rec.config.rootfs}: there is no image to compare its files with`);
    }
    const layout = containerLayout(this.ctx.paths, rec.id);
    const exclude = new Set([...ENGINE_FILES, ...mountPoints(layout.configJson), ...rec.config.mounts.map((m) => path.posix.normalize(m.target))]);
    return diffUpper(overlayDirs(layout.dir).upper, rec.resolved.lowerDirs, exclude);
  }

  /** A host directory a file manager can open: the merged tree of a running container (or a --rootfs dir). */
  hostPath(ref: string): { path: string } {
    const rec = this.manager.find(ref);
    if (rec.config.rootfs) return { path: rec.config.rootfs };
    const merged = overlayDirs(containerLayout(this.ctx.paths, rec.id).dir).merged;
    if (live(rec) && isMounted(merged)) return { path: merged };
    throw new EngineError(
      'conflict',
      `container ${rec.name} is not running: its files are mounted only while it runs (start it, or copy files out with fd cp ${rec.name}:PATH DEST)`,
    );
  }
}
