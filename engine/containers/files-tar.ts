// Tar in and out of a root directory, for `cp` both ways. Packing walks with lstat and never follows a link
// (links go into the tar as links). Extraction follows the unpack writer's rules (images/unpack.ts): entry
// names with `..` or a leading '/' are refused, files are opened O_EXCL|O_NOFOLLOW, hardlinks must point at
// something already inside the destination; parent directories are resolved inside the root with chroot
// semantics (files-path.ts), so a link in the container can redirect a write only within the container.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError } from '../api/errors';
import { hostPathOf, mountOf, resolveInRoot, viewOf, type Root, type RootView } from './files-path';
import { runMknod } from '../runtime/mknod';

const READ_CHUNK = 64 * 1024;

type PackHeader = Partial<tar.Header> & { name: string };

const major = (rdev: number) => (rdev >> 8) & 0xfff;
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

function waitDrain(sink: tar.Pack | NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => (sink as NodeJS.EventEmitter).once('drain', () => resolve()));
}

/** Reads up to `size` bytes at the fd's position; a file that shrank meanwhile is zero-padded (the header promised `size`). */
function readUpTo(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  for (let got = 0; got < size; ) {
    const n = fs.readSync(fd, buf, got, size - got, null);
    if (n === 0) break;
    got += n;
  }
  return buf;
}

// Synchronous reads on purpose (as in images/unpack.ts): a thread-pool hop per call makes many small files slow.
async function writeFileEntry(pack: tar.Pack, header: PackHeader, host: string, size: number) {
  // O_NOFOLLOW: a file swapped for a link since the lstat is refused instead of read through the link.
  const fd = fs.openSync(host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    if (size <= READ_CHUNK) {
      const body = readUpTo(fd, size);
      await new Promise<void>((resolve, reject) => pack.entry(header, body, (err) => (err ? reject(err) : resolve())));
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      void (async () => {
        for (let left = size; left > 0; ) {
          const chunk = readUpTo(fd, Math.min(READ_CHUNK, left));
          left -= chunk.length;
          if (!sink.write(chunk)) await waitDrain(sink as unknown as NodeJS.EventEmitter);
        }
        (sink as unknown as NodeJS.WritableStream).end();
      })().catch((err: Error) => {
        sink.destroy(err);
        reject(err);
      });
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A tar of `host` (not followed if it is a link) whose top entry is named `top` ('.' gives './' and './x',
 * which docker's client rebases by prefix). Yields the tar bytes as the consumer pulls them.
 */
export function packTree(host: string, top: string, within?: { view: RootView; path: string }): AsyncIterable<Buffer> {
  const pack = tar.pack();
  const hardlinks = new Map<string, string>();

  /** With `within`, children under a mount target come from the mount (a stopped container's volumes). */
  const add = async (abs: string, name: string, cpath: string | undefined, follow: boolean) => {
    const st = follow ? fs.statSync(abs) : fs.lstatSync(abs);
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      await entry({ ...base, type: 'directory' });
      const children = new Set(fs.readdirSync(abs));
      // A mount whose target directory the root filesystem lacks still shows up, as it does in the container.
      for (const m of within?.view.mounts ?? []) if (cpath !== undefined && path.posix.dirname(m.target) === cpath) children.add(path.posix.basename(m.target));
      for (const child of [...children].sort()) {
        const childName = name === '.' ? `./${child}` : `${name}/${child}`;
        if (cpath === undefined || !within) {
          await add(path.join(abs, child), childName, undefined, false);
          continue;
        }
        const childPath = path.posix.join(cpath, child);
        const at = hostPathOf(within.view, childPath);
        if (at.top && !fs.existsSync(at.host)) continue; // a bind source removed since
        await add(at.host, childName, childPath, at.top);
      }
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? hardlinks.get(key) : undefined;
      if (first) return entry({ ...base, type: 'link', linkname: first });
      if (st.nlink > 1) hardlinks.set(key, name);
      await writeFileEntry(pack, { ...base, type: 'file', size: st.size }, abs, st.size);
    } else if (st.isSymbolicLink()) {
      await entry({ ...base, type: 'symlink', linkname: fs.readlinkSync(abs) });
    } else if (st.isFIFO()) {
      await entry({ ...base, type: 'fifo' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await entry({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    }
    // Sockets cannot go into a tar: skipped, as docker does.
  };
  const entry = (header: PackHeader) =>
    new Promise<void>((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));

  void add(host, top, within?.path, false).then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return pack as unknown as AsyncIterable<Buffer>;
}

export interface ExtractOptions {
  /** The root the destination lives in ('/' for the host itself, or a container's root and mounts). */
  root: Root;
  /** The directory to extract into, a path inside root; it must exist. */
  dest: string;
  /** 'keep': the tar's uid/gid; 'root': 0:0; 'none': leave as created (non-root callers). */
  owners: 'keep' | 'root' | 'none';
  noOverwriteDirNonDir: boolean;
  /** Renames entries before they are checked (docker's RebaseArchiveEntries); null skips the entry. */
  rename?: (name: string) => string | null;
}

/** Entry name → path parts relative to the destination; refuses absolute names and any `..` that climbs out. */
export function cleanEntryName(raw: string): string[] {
  if (raw.startsWith('/')) throw new EngineError('invalid', `refusing tar entry "${raw}": absolute path`);
  const n = path.posix.normalize(raw);
  if (n === '..' || n.startsWith('../')) throw new EngineError('invalid', `refusing tar entry "${raw}": it leaves the destination`);
  return n.split('/').filter((c) => c !== '' && c !== '.');
}

/** Extracts a tar stream into `dest` inside `root`; returns the number of entries written. */
export async function extractTar(source: AsyncIterable<Buffer>, options: ExtractOptions): Promise<number> {
  const { root } = options;
  const view = viewOf(root);
  const destDir = resolveInRoot(root, options.dest, true);
  if (!destDir.stat) throw new EngineError('not_found', `Could not find the file ${options.dest}: no such directory`);
  if (!destDir.stat.isDirectory()) throw new EngineError('invalid', `extraction point ${options.dest} is not a directory`);
  const dest = destDir.path;
  /** Container paths of extracted directories, for their times at the end (creating children bumps them). */
  const dirTimes: [string, Date][] = [];
  let count = 0;

  const owner = (h: tar.Header): [number, number] | null =>
    options.owners === 'keep' ? [h.uid ?? 0, h.gid ?? 0] : options.owners === 'root' ? [0, 0] : null;

  /**
   * Directories already resolved, by entry path relative to dest: a deep tree costs one lookup per new
   * directory instead of one per component per entry. A remembered directory may have been reached through
   * any directory or link on the way (`l/x` through the link `l` to `a`, or dest's own path), so when an entry
   * replaces a directory or a link everything is looked up again; a stale host path would let the kernel
   * follow a link planted in its place out of the root.
   */
  const dirs = new Map<string, { path: string; host: string }>([['', { path: dest, host: destDir.host }]]);
  const forgetDirs = () => {
    const again = resolveInRoot(root, dest, true);
    if (!again.stat?.isDirectory()) throw new EngineError('invalid', `extraction point ${options.dest} was replaced by an entry of the archive`);
    dirs.clear();
    dirs.set('', { path: again.path, host: again.host });
  };

  /** The dir for `parts` (relative to dest), creating missing directories; links resolve inside root. */
  const ensureDir = (parts: string[], entry: string): { path: string; host: string } => {
    let known = parts.length;
    while (!dirs.has(parts.slice(0, known).join('/'))) known--;
    let cur = dirs.get(parts.slice(0, known).join('/'))!.path;
    for (let i = known; i < parts.length; i++) {
      const part = parts[i]!;
      const want = path.posix.join(cur, part);
      let r = resolveInRoot(root, want, true, entry);
      // One missing directory at a time: a link on the way may point at several that do not exist yet.
      for (let made = 0; !r.stat; made++) {
        if (made > 64) throw new EngineError('invalid', `cannot extract "${entry}": too many missing directories`);
        fs.mkdirSync(r.host, { mode: 0o755 });
        if (options.owners !== 'none') fs.lchownSync(r.host, 0, 0);
        r = resolveInRoot(root, want, true, entry);
      }
      if (!r.stat.isDirectory()) {
        throw new EngineError('invalid', `cannot extract "${entry}": ${r.path} is not a directory`);
      }
      cur = r.path;
      dirs.set(parts.slice(0, i + 1).join('/'), { path: r.path, host: r.host });
    }
    return dirs.get(parts.join('/'))!;
  };

  const extract = tar.extract();
  const feeding = pipeline(Readable.from(source), extract).catch((err: Error) => extract.destroy(err));
  for await (const entry of extract) {
    const header = entry.header;
    const name = options.rename ? options.rename(header.name) : header.name;
    if (name === null || ['pax-header', 'pax-global-header', 'gnu-long-path', 'gnu-long-link-path'].includes(header.type as string)) {
      entry.resume();
      continue;
    }
    const parts = cleanEntryName(name);
    // symlink(2) refuses an empty target with a bare ENOENT: refuse it by name, before anything is replaced.
    if (header.type === 'symlink' && !header.linkname) throw new EngineError('invalid', `refusing tar entry "${name}": a symlink with an empty target`);
    const isDir = header.type === 'directory';
    if (parts.length === 0) {
      // The destination itself ('.'): it exists as a directory already.
      entry.resume();
      continue;
    }
    const base = parts[parts.length - 1]!;
    const parent = ensureDir(parts.slice(0, -1), name);
    if (mountOf(view, path.posix.join(parent.path, base))?.readOnly) {
      throw new EngineError('forbidden', `cannot extract "${name}": ${path.posix.join(parent.path, base)} is on a read-only mount`);
    }
    const abs = path.join(parent.host, base);
    const existing = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (existing) {
      if (options.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
        throw new EngineError('conflict', `cannot overwrite directory "${name}" with non-directory "${name}"`);
      }
      if (options.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
        throw new EngineError('conflict', `cannot overwrite non-directory "${name}" with directory "${name}"`);
      }
      if (!(existing.isDirectory() && isDir)) {
        fs.rmSync(abs, { recursive: true, force: true });
        // A file replaced is on no directory's way; a directory or a link may be.
        if (existing.isDirectory() || existing.isSymbolicLink()) forgetDirs();
      }
    }
    const ids = owner(header);
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date();
    switch (header.type) {
      case 'directory': {
        if (!existing?.isDirectory()) fs.mkdirSync(abs, { mode: 0o700 });
        if (ids) fs.lchownSync(abs, ids[0], ids[1]);
        fs.chmodSync(abs, mode);
        dirTimes.push([path.posix.join(parent.path, base), mtime]);
        entry.resume();
        break;
      }
      case 'file':
      case 'contiguous-file': {
        const fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of entry) {
            const b = chunk as Buffer;
            for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
          }
          // chown before chmod: chown clears setuid/setgid.
          if (ids) fs.fchownSync(fd, ids[0], ids[1]);
          fs.fchmodSync(fd, mode);
          fs.futimesSync(fd, mtime, mtime);
        } finally {
          fs.closeSync(fd);
        }
        break;
      }
      case 'symlink': {
        // Kept verbatim: the container resolves it inside its own root.
        fs.symlinkSync(header.linkname ?? '', abs);
        if (ids) fs.lchownSync(abs, ids[0], ids[1]);
        fs.lutimesSync(abs, mtime, mtime);
        entry.resume();
        break;
      }
      case 'link': {
        const raw = header.linkname ?? '';
        const renamed = options.rename ? (options.rename(raw) ?? raw) : raw;
        const targetParts = cleanEntryName(renamed);
        if (targetParts.length === 0) throw new EngineError('invalid', `refusing tar entry "${name}": hardlink to the destination itself`);
        const target = resolveInRoot(root, path.posix.join(dest, ...targetParts), false, name);
        if (!target.stat) throw new EngineError('invalid', `refusing tar entry "${name}": hardlink target "${raw}" is not in the archive`);
        if (target.stat.isDirectory()) throw new EngineError('invalid', `refusing tar entry "${name}": hardlink target "${raw}" is a directory`);
        fs.linkSync(target.host, abs);
        entry.resume();
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const kind = header.type === 'fifo' ? ['p'] : [header.type === 'block-device' ? 'b' : 'c', String(header.devmajor ?? 0), String(header.devminor ?? 0)];
        await runMknod(['-m', (mode & 0o777).toString(8), abs, ...kind]);
        if (ids) fs.lchownSync(abs, ids[0], ids[1]);
        fs.chmodSync(abs, mode);
        fs.lutimesSync(abs, mtime, mtime);
        entry.resume();
        break;
      }
      default:
        entry.resume();
        continue;
    }
    count++;
  }
  await feeding;
  // Directory times last: creating their children bumped them.
  for (const [p, mtime] of dirTimes.reverse()) {
    // Resolved again: a later entry may have replaced the directory, or a parent with a link that leads out
    // of the root (a stale host path would let the kernel follow it and stamp a host directory's times).
    let r: ReturnType<typeof resolveInRoot>;
    try {
      r = resolveInRoot(root, p, false);
    } catch (err) {
      if (err instanceof EngineError) continue;
      throw err;
    }
    if (!r.stat?.isDirectory()) continue;
    fs.lutimesSync(r.host, mtime, mtime);
  }
  return count;
}
