// Layer unpacking (design §6): tar-stream parses, this writer applies. Every path is resolved inside the
// layer root by walking it with lstat and never following a symlink; hostile entries (`../`, absolute paths,
// writes through symlinks, hardlinks out of the layer) fail the layer with the path named. Whiteouts become
// overlayfs ones: `.wh.NAME` → char device 0/0, `.wh..wh..opq` → xattr trusted.overlay.opaque=y.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { setAttribute } from '@napi-rs/xattr';
import { PaxXattrSniffer, type RawXattrs } from './pax-xattrs';
import { Decompress as ZstdDecompress } from 'fzstd';
import tar from 'tar-stream';
import { EngineError } from '../api/errors';
import { explainUnmappedOwner, isIgnorableXattrError, isOverlayXattr, overlayXattr } from '../rootless/storage';
import { runMknod } from '../runtime/mknod';

const WHITEOUT = '.wh.';
/** Files up to this size are written off the event loop while the tar walk goes on (see `launch`). */
const SMALL_FILE = 256 * 1024;
/**
 * Creations in flight per layer: the thread pool's size (libuv's default 4). More only queue in front of gunzip,
 * which shares the pool: 32 pulled ~15% slower than 4 here, 8 in between; 2 was no different from 4.
 */
const MAX_IN_FLIGHT = 4;
const OPAQUE = '.wh..wh..opq';

export class UnsafeLayerError extends EngineError {
  constructor(layer: string, entry: string, why: string) {
    super('invalid', `layer ${layer} has an unsafe entry "${entry}": ${why}`);
  }
}

/** gzip (1f 8b), zstd (28 b5 2f fd) or plain tar, by magic bytes rather than media type. */
export async function* decompress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const r = await it.next();
    if (r.done) break;
    head = Buffer.concat([head, r.value]);
  }
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
    const feeding = pipeline(Readable.from(rest()), gunzip).catch((err: Error) => gunzip.destroy(err));
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feeding;
  } else if (head.readUInt32LE(0) === 0xfd2fb528 || (head.length >= 4 && (head.readUInt32LE(0) & 0xfffffff0) === 0x184d2a50)) {
    const out: Buffer[] = [];
    const z = new ZstdDecompress((chunk) => out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    for await (const chunk of rest()) {
      z.push(chunk);
      while (out.length) yield out.shift()!;
    }
    z.push(new Uint8Array(0), true);
    while (out.length) yield out.shift()!;
  } else {
    yield* rest();
  }
}

export interface UnpackOptions {
  /** Named in errors (the layer digest). */
  layer: string;
  /** Apply tar owners (root only; rootless maps ids elsewhere). */
  chown?: boolean;
}

export interface UnpackResult {
  /** Bytes of regular file content written. */
  size: number;
  entries: number;
  /** Parent directories the tar did not list: they take their owner and mode from lower layers later. */
  implicitDirs: string[];
}

/**
 * Creations in flight, by layer path. Creating an inode can take milliseconds (perf here: ext4 scanning
 * recently deleted inodes on a disk where many trees are removed), so small files and symlinks are created in
 * the thread pool, several at once, while the tar walk goes on (parallel `tar -x` is what the floor does). Anything that looks at a path first waits for the creation in flight
 * there, so every safety check still sees what the layer wrote before it.
 */
class InFlight {
  private readonly byPath = new Map<string, Promise<void>>();
  private error: unknown = null;

  async settled(rel: string): Promise<void> {
    await this.byPath.get(rel);
    if (this.error) throw this.error;
  }

  async drain(): Promise<void> {
    await Promise.all(this.byPath.values());
    if (this.error) throw this.error;
  }

  async launch(rel: string, work: () => Promise<void>): Promise<void> {
    const done: Promise<void> = work()
      .catch((err: unknown) => {
        this.error ??= err;
      })
      .finally(() => {
        if (this.byPath.get(rel) === done) this.byPath.delete(rel);
      });
    this.byPath.set(rel, done);
    while (this.byPath.size >= MAX_IN_FLIGHT) await Promise.race(this.byPath.values());
    if (this.error) throw this.error;
  }
}

let umaskCache: number | null | undefined;
/** This process's umask from /proc (process.umask() can only read it by changing it); null when unknown. */
function processUmask(): number | null {
  if (umaskCache === undefined) {
    try {
      const m = /^Umask:\s+([0-7]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      umaskCache = m ? parseInt(m[1]!, 8) : null;
    } catch {
      umaskCache = null;
    }
  }
  return umaskCache;
}

/** Unpacks an uncompressed tar stream into `root`, which must be a fresh empty directory. */
export async function unpackLayer(tarStream: AsyncIterable<Buffer>, root: string, options: UnpackOptions): Promise<UnpackResult> {
  const inFlight = new InFlight();
  try {
    return await unpackEntries(tarStream, root, options, inFlight);
  } catch (err) {
    throw explainUnmappedOwner(err, options.layer);
  } finally {
    // Also on failure: the caller removes `root`, and nothing may still be landing in it.
    await inFlight.drain().catch(() => {});
  }
}

async function unpackEntries(tarStream: AsyncIterable<Buffer>, root: string, options: UnpackOptions, inFlight: InFlight): Promise<UnpackResult> {
  const chown = options.chown ?? process.getuid?.() === 0;
  const fail = (entry: string, why: string) => new UnsafeLayerError(options.layer, entry, why);
  /** Directories already checked to be real directories inside root (relative paths). */
  const knownDirs = new Set<string>(['']);
  const implicitDirs = new Set<string>();
  const dirTimes: [string, Date][] = [];
  let size = 0;
  let entries = 0;

  const clean = (raw: string, entry: string): string => {
    if (raw.startsWith('/')) throw fail(entry, 'absolute path');
    const n = path.posix.normalize(raw);
    if (n === '..' || n.startsWith('../')) throw fail(entry, 'path leaves the layer');
    return n === '.' || n === './' ? '' : n.replace(/\/+$/, '').replace(/^\.\//, '');
  };

  const settled = (rel: string) => inFlight.settled(rel);
  const drain = () => inFlight.drain();
  const launch = (rel: string, work: () => Promise<void>) => inFlight.launch(rel, work);

  /** The directory `rel` inside root, created as needed; refuses symlinks and non-directories on the way. */
  const ensureDir = async (rel: string, entry: string): Promise<string> => {
    if (knownDirs.has(rel)) return path.join(root, rel);
    const parent = path.posix.dirname(rel);
    await ensureDir(parent === '.' ? '' : parent, entry);
    await settled(rel);
    const abs = path.join(root, rel);
    try {
      const st = await fsp.lstat(abs);
      if (st.isSymbolicLink()) throw fail(entry, `parent "${rel}" is a symlink`);
      if (!st.isDirectory()) throw fail(entry, `parent "${rel}" is not a directory`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fsp.mkdir(abs, { mode: 0o755 });
      implicitDirs.add(rel);
    }
    knownDirs.add(rel);
    return abs;
  };

  /** Paths this layer has created so far: in a fresh root nothing else can exist, so most entries skip an lstat. */
  const created = new Set<string>();

  /** Removes whatever sits at rel (this layer's own earlier entry) unless both are directories. */
  const clear = async (rel: string, abs: string, keepDir: boolean) => {
    if (!created.has(rel) && !knownDirs.has(rel)) {
      created.add(rel);
      return;
    }
    // Whatever lands here now was made by this layer: a later entry at the same path must clear it too.
    created.add(rel);
    // A replaced directory takes its subtree with it: nothing may still be landing inside.
    await drain();
    const st = await fsp.lstat(abs).catch(() => null);
    if (!st) return;
    if (keepDir && st.isDirectory()) return;
    await fsp.rm(abs, { recursive: true, force: true });
    for (const d of knownDirs) if (d === rel || d.startsWith(`${rel}/`)) knownDirs.delete(d);
  };

  const applyXattrs = async (abs: string, header: tar.Header) => {
    const raw = rawXattrs.get(header);
    for (const [key, value] of Object.entries(header.pax ?? {})) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      const name = key.slice('SCHILY.xattr.'.length);
      // overlayfs' own attributes (redirect, metacopy, opaque) come only from whiteout markers, never from a tar.
      if (isOverlayXattr(name)) continue;
      // The exact bytes (binary values such as security.capability do not survive tar-stream's UTF-8 decoding).
      await setAttribute(abs, name, raw?.get(name) ?? String(value)).catch((err: Error) => {
        if (!isIgnorableXattrError(name, err)) throw err;
      });
    }
  };

  const applyMeta = async (abs: string, header: tar.Header, isSymlink: boolean) => {
    if (chown) await fsp.lchown(abs, header.uid ?? 0, header.gid ?? 0);
    if (!isSymlink) {
      // chmod after chown: chown clears setuid/setgid.
      await fsp.chmod(abs, (header.mode ?? 0o644) & 0o7777);
      await applyXattrs(abs, header);
    }
    const mtime = header.mtime ?? new Date(0);
    await fsp.lutimes(abs, mtime, mtime);
  };

  /** O_EXCL | O_NOFOLLOW: never opens through a symlink planted at this name. Metadata via the handle: no path lookups. */
  const writeSmallFile = async (abs: string, data: Buffer, header: tar.Header) => {
    const mode = (header.mode ?? 0o644) & 0o7777;
    // Created with its final mode when the umask keeps every bit and there is no setuid/setgid/sticky bit for a
    // chown to clear: one thread-pool round trip less for most files.
    const umask = processUmask();
    const exact = umask !== null && (mode & 0o7000) === 0 && (mode & umask) === 0;
    const fh = await fsp.open(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, exact ? mode : 0o600);
    try {
      if (data.length) await fh.writeFile(data);
      if (chown) await fh.chown(header.uid ?? 0, header.gid ?? 0);
      if (!exact) await fh.chmod(mode);
      if (header.pax) await applyXattrs(abs, header);
      const mtime = header.mtime ?? new Date(0);
      await fh.utimes(mtime, mtime);
    } finally {
      await fh.close();
    }
  };

  const extract = tar.extract();
  const sniffer = new PaxXattrSniffer();
  const rawXattrs = new WeakMap<tar.Header, RawXattrs>();
  const feeding = pipeline(Readable.from(tarStream), sniffer, extract).catch((err: Error) => extract.destroy(err));
  for await (const entry of extract) {
    const header = entry.header;
    const name = header.name;
    const raw = sniffer.xattrsOf(entries);
    if (raw) rawXattrs.set(header, raw);
    entries++;
    const rel = clean(name, name);
    const base = path.posix.basename(rel);
    const parentRel = rel.includes('/') ? path.posix.dirname(rel) : '';

    if (base === OPAQUE) {
      const dir = await ensureDir(parentRel, name);
      await setAttribute(dir, overlayXattr('opaque'), 'y');
      entry.resume();
      continue;
    }
    if (base.startsWith(WHITEOUT)) {
      const hidden = base.slice(WHITEOUT.length);
      if (!hidden || hidden === '.' || hidden === '..') throw fail(name, 'whiteout of an invalid name');
      const dir = await ensureDir(parentRel, name);
      const abs = path.join(dir, hidden);
      await clear(parentRel ? `${parentRel}/${hidden}` : hidden, abs, false);
      await runMknod([abs, 'c', '0', '0']);
      if (chown) await fsp.lchown(abs, header.uid ?? 0, header.gid ?? 0);
      entry.resume();
      continue;
    }
    if (rel === '') {
      entry.resume(); // the layer root itself: keep the snapshot dir as it is
      continue;
    }

    const dir = await ensureDir(parentRel, name);
    const abs = path.join(dir, base);
    switch (header.type) {
      case 'directory': {
        await clear(rel, abs, true);
        await fsp.mkdir(abs, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
        knownDirs.add(rel);
        implicitDirs.delete(rel);
        await applyMeta(abs, header, false);
        dirTimes.push([rel, header.mtime ?? new Date(0)]);
        entry.resume();
        break;
      }
      case 'file':
      case 'contiguous-file': {
        await clear(rel, abs, false);
        size += header.size ?? 0;
        if ((header.size ?? 0) <= SMALL_FILE) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          await launch(rel, () => writeSmallFile(abs, Buffer.concat(chunks), header));
          break;
        }
        // Big files stream through synchronous writes: each is microseconds on the page cache, and a thread-pool
        // hop per chunk would cost more than the copy. O_EXCL: never opens through a symlink planted at this name.
        const fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of entry) {
            const b = chunk as Buffer;
            for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
          }
          if (chown) fs.fchownSync(fd, header.uid ?? 0, header.gid ?? 0);
          fs.fchmodSync(fd, (header.mode ?? 0o644) & 0o7777);
          if (header.pax) await applyXattrs(abs, header);
          const mtime = header.mtime ?? new Date(0);
          fs.futimesSync(fd, mtime, mtime);
        } finally {
          fs.closeSync(fd);
        }
        break;
      }
      case 'symlink': {
        if (!header.linkname) throw fail(name, 'symlink with an empty target');
        await clear(rel, abs, false);
        // Kept verbatim, absolute targets included: they are resolved inside the container's root.
        await launch(rel, async () => {
          await fsp.symlink(header.linkname ?? '', abs);
          await applyMeta(abs, header, true);
        });
        entry.resume();
        break;
      }
      case 'link': {
        const raw = header.linkname ?? '';
        const targetRel = clean(raw.replace(/^\/+/, ''), name);
        if (targetRel === '') throw fail(name, 'hardlink to the layer root');
        const targetDir = await ensureDir(targetRel.includes('/') ? path.posix.dirname(targetRel) : '', name);
        const target = path.join(targetDir, path.posix.basename(targetRel));
        await settled(targetRel);
        const st = await fsp.lstat(target).catch(() => null);
        if (!st) throw fail(name, `hardlink target "${raw}" is not in this layer`);
        if (st.isDirectory()) throw fail(name, `hardlink target "${raw}" is a directory`);
        await clear(rel, abs, false);
        await fsp.link(target, abs);
        entry.resume();
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        await clear(rel, abs, false);
        const kind = header.type === 'fifo' ? ['p'] : [header.type === 'block-device' ? 'b' : 'c', String(header.devmajor ?? 0), String(header.devminor ?? 0)];
        await runMknod(['-m', ((header.mode ?? 0o644) & 0o777).toString(8), abs, ...kind]);
        await applyMeta(abs, header, false);
        entry.resume();
        break;
      }
      default:
        // pax/gnu metadata records are folded into headers by tar-stream; anything else is skipped like docker does.
        entry.resume();
    }
  }
  await feeding;
  await drain();
  // Directory times last: creating children bumped them.
  // By layer path, checked again: a later entry may have replaced the directory (or a parent) with a symlink,
  // and a time set through it would land on the host.
  for (const [rel, mtime] of dirTimes.reverse()) {
    if ((await lstatInside(root, rel))?.isDirectory()) await fsp.lutimes(path.join(root, rel), mtime, mtime);
  }
  return { size, entries, implicitDirs: [...implicitDirs] };
}

/** lstat of `rel` inside `root` without following any symlink on the way; null when absent or not reachable. */
export async function lstatInside(root: string, rel: string): Promise<fs.Stats | null> {
  let cur = root;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]!);
    const st = await fsp.lstat(cur).catch(() => null);
    if (!st) return null;
    if (i < parts.length - 1 && !st.isDirectory()) return null;
    if (i === parts.length - 1) return st;
  }
  return null;
}

/**
 * Directories a layer created only as parents get the owner, mode and times the same path has in the
 * nearest lower layer (containerd's WithParents): otherwise the upper dir would mask the lower dir's metadata.
 */
export async function inheritParentMetadata(root: string, implicitDirs: string[], lowerDirs: string[]): Promise<void> {
  for (const rel of implicitDirs) {
    for (const lower of lowerDirs) {
      const st = await lstatInside(lower, rel);
      if (!st) continue;
      if (st.isDirectory()) {
        const abs = path.join(root, rel);
        if (process.getuid?.() === 0) await fsp.lchown(abs, st.uid, st.gid);
        await fsp.chmod(abs, st.mode & 0o7777);
        await fsp.utimes(abs, st.atime, st.mtime);
      }
      break;
    }
  }
}
