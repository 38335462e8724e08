// The layer writer (design §6): tar-stream parses, this applies. Every path is resolved inside the layer root by
// walking it with lstat and never following a symlink; hostile entries (`../`, absolute paths, writes through
// symlinks, hardlinks out of the layer) fail the layer with the path named. Whiteouts become overlayfs ones:
// `.wh.NAME` → char device 0/0, `.wh..wh..opq` → xattr trusted.overlay.opaque=y.
//
// File system calls are synchronous on purpose: a file costs its five syscalls (microseconds each once the
// inode exists) instead of five thread-pool round trips, each a futex wake-up of a pool thread that on this 2-core
// VM cost more than the syscall, in a pool shared with gunzip. Runs in the engine thread or in an unpack worker
// (unpack-pool.ts), where a blocking call stalls only that layer's walk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { setAttributeSync } from '@napi-rs/xattr';
import { Decompress as ZstdDecompress } from 'fzstd';
import tar from 'tar-stream';
import { EngineError } from '../api/errors';
import { explainUnmappedOwner, isIgnorableXattrError, isOverlayXattr, overlayXattr } from '../rootless/storage';
import { runMknod } from '../runtime/mknod';
import { PaxXattrSniffer, type RawXattrs } from './pax-xattrs';
import { lstatInside } from '../system/lstat-inside';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const CREATE_EXCL = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

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
  /** The source is a layer blob, gzip or zstd compressed or plain (told by magic bytes); else it is a plain tar. */
  decompress?: boolean;
}

export interface UnpackResult {
  /** Bytes of regular file content written. */
  size: number;
  entries: number;
  /** Parent directories the tar did not list: they take their owner and mode from lower layers later. */
  implicitDirs: string[];
  /** sha256 of the uncompressed tar (the layer's diff id). */
  diffId: string;
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

/** Unpacks a layer (a tar, or a compressed blob with `decompress`) into `root`, which must be a fresh empty directory. */
export async function writeLayer(source: AsyncIterable<Buffer>, root: string, options: UnpackOptions): Promise<UnpackResult> {
  try {
    return await writeEntries(source, root, options);
  } catch (err) {
    throw explainUnmappedOwner(err, options.layer);
  }
}

async function writeEntries(source: AsyncIterable<Buffer>, root: string, options: UnpackOptions): Promise<UnpackResult> {
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

  /** The directory `rel` inside root, created as needed; refuses symlinks and non-directories on the way. */
  const ensureDir = (rel: string, entry: string): string => {
    if (knownDirs.has(rel)) return path.join(root, rel);
    const parent = path.posix.dirname(rel);
    ensureDir(parent === '.' ? '' : parent, entry);
    const abs = path.join(root, rel);
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (st) {
      if (st.isSymbolicLink()) throw fail(entry, `parent "${rel}" is a symlink`);
      if (!st.isDirectory()) throw fail(entry, `parent "${rel}" is not a directory`);
    } else {
      fs.mkdirSync(abs, { mode: 0o755 });
      implicitDirs.add(rel);
    }
    knownDirs.add(rel);
    return abs;
  };

  /** Paths this layer has created so far: in a fresh root nothing else can exist, so most entries skip an lstat. */
  const created = new Set<string>();

  /** Removes whatever sits at rel (this layer's own earlier entry) unless both are directories. */
  const clear = (rel: string, abs: string, keepDir: boolean) => {
    if (!created.has(rel) && !knownDirs.has(rel)) {
      created.add(rel);
      return;
    }
    // Whatever lands here now was made by this layer: a later entry at the same path must clear it too.
    created.add(rel);
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (keepDir && st.isDirectory()) return;
    fs.rmSync(abs, { recursive: true, force: true });
    for (const d of knownDirs) if (d === rel || d.startsWith(`${rel}/`)) knownDirs.delete(d);
  };

  const applyXattrs = (abs: string, header: tar.Header) => {
    const raw = rawXattrs.get(header);
    for (const [key, value] of Object.entries(header.pax ?? {})) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      const name = key.slice('SCHILY.xattr.'.length);
      // overlayfs' own attributes (redirect, metacopy, opaque) come only from whiteout markers, never from a tar.
      if (isOverlayXattr(name)) continue;
      // The exact bytes (binary values such as security.capability do not survive tar-stream's UTF-8 decoding).
      try {
        setAttributeSync(abs, name, raw?.get(name) ?? String(value));
      } catch (err) {
        if (!isIgnorableXattrError(name, err as Error)) throw err;
      }
    }
  };

  const applyMeta = (abs: string, header: tar.Header, isSymlink: boolean) => {
    if (chown) fs.lchownSync(abs, header.uid ?? 0, header.gid ?? 0);
    if (!isSymlink) {
      // chmod after chown: chown clears setuid/setgid.
      fs.chmodSync(abs, (header.mode ?? 0o644) & 0o7777);
      applyXattrs(abs, header);
    }
    const mtime = header.mtime ?? new Date(0);
    fs.lutimesSync(abs, mtime, mtime);
  };

  /** Owner, mode, xattrs and time of a file just written, through its descriptor: no path lookups. */
  const finishFile = (fd: number, abs: string, header: tar.Header, modeSet: boolean) => {
    if (chown) fs.fchownSync(fd, header.uid ?? 0, header.gid ?? 0);
    if (!modeSet) fs.fchmodSync(fd, (header.mode ?? 0o644) & 0o7777);
    if (header.pax) applyXattrs(abs, header);
    const mtime = header.mtime ?? new Date(0);
    fs.futimesSync(fd, mtime, mtime);
  };

  /** O_EXCL | O_NOFOLLOW: never opens through a symlink planted at this name. */
  const openFile = (abs: string, header: tar.Header): { fd: number; modeSet: boolean } => {
    const mode = (header.mode ?? 0o644) & 0o7777;
    // Created with its final mode when the umask keeps every bit and there is no setuid/setgid/sticky bit for a
    // chown to clear: one chmod less for most files.
    const umask = processUmask();
    const exact = umask !== null && (mode & 0o7000) === 0 && (mode & umask) === 0;
    return { fd: fs.openSync(abs, CREATE_EXCL, exact ? mode : 0o600), modeSet: exact };
  };

  const writeAll = (fd: number, b: Buffer) => {
    for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
  };

  const diffHash = crypto.createHash('sha256');
  async function* hashed(chunks: AsyncIterable<Buffer>) {
    for await (const c of chunks) {
      diffHash.update(c);
      yield c;
    }
  }

  const extract = tar.extract();
  const sniffer = new PaxXattrSniffer();
  const rawXattrs = new WeakMap<tar.Header, RawXattrs>();
  const tarBytes = hashed(options.decompress ? decompress(source) : source);
  const feeding = pipeline(Readable.from(tarBytes), sniffer, extract).catch((err: Error) => extract.destroy(err));
  // A throw leaves the loop, which destroys `extract`: nothing more is written.
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
      const dir = ensureDir(parentRel, name);
      setAttributeSync(dir, overlayXattr('opaque'), 'y');
      entry.resume();
      continue;
    }
    if (base.startsWith(WHITEOUT)) {
      const hidden = base.slice(WHITEOUT.length);
      if (!hidden || hidden === '.' || hidden === '..') throw fail(name, 'whiteout of an invalid name');
      const dir = ensureDir(parentRel, name);
      const abs = path.join(dir, hidden);
      clear(parentRel ? `${parentRel}/${hidden}` : hidden, abs, false);
      await runMknod([abs, 'c', '0', '0']);
      if (chown) fs.lchownSync(abs, header.uid ?? 0, header.gid ?? 0);
      entry.resume();
      continue;
    }
    if (rel === '') {
      entry.resume(); // the layer root itself: keep the snapshot dir as it is
      continue;
    }

    const dir = ensureDir(parentRel, name);
    const abs = path.join(dir, base);
    switch (header.type) {
      case 'directory': {
        clear(rel, abs, true);
        try {
          fs.mkdirSync(abs, { mode: 0o755 });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        knownDirs.add(rel);
        implicitDirs.delete(rel);
        applyMeta(abs, header, false);
        dirTimes.push([rel, header.mtime ?? new Date(0)]);
        entry.resume();
        break;
      }
      case 'file':
      case 'contiguous-file': {
        clear(rel, abs, false);
        size += header.size ?? 0;
        const { fd, modeSet } = openFile(abs, header);
        try {
          for await (const chunk of entry) writeAll(fd, chunk as Buffer);
          finishFile(fd, abs, header, modeSet);
        } finally {
          fs.closeSync(fd);
        }
        break;
      }
      case 'symlink': {
        if (!header.linkname) throw fail(name, 'symlink with an empty target');
        clear(rel, abs, false);
        // Kept verbatim, absolute targets included: they are resolved inside the container's root.
        fs.symlinkSync(header.linkname, abs);
        applyMeta(abs, header, true);
        entry.resume();
        break;
      }
      case 'link': {
        const rawTarget = header.linkname ?? '';
        const targetRel = clean(rawTarget.replace(/^\/+/, ''), name);
        if (targetRel === '') throw fail(name, 'hardlink to the layer root');
        const targetDir = ensureDir(targetRel.includes('/') ? path.posix.dirname(targetRel) : '', name);
        const target = path.join(targetDir, path.posix.basename(targetRel));
        const st = fs.lstatSync(target, { throwIfNoEntry: false });
        if (!st) throw fail(name, `hardlink target "${rawTarget}" is not in this layer`);
        if (st.isDirectory()) throw fail(name, `hardlink target "${rawTarget}" is a directory`);
        clear(rel, abs, false);
        fs.linkSync(target, abs);
        entry.resume();
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        clear(rel, abs, false);
        const kind = header.type === 'fifo' ? ['p'] : [header.type === 'block-device' ? 'b' : 'c', String(header.devmajor ?? 0), String(header.devminor ?? 0)];
        await runMknod(['-m', ((header.mode ?? 0o644) & 0o777).toString(8), abs, ...kind]);
        applyMeta(abs, header, false);
        entry.resume();
        break;
      }
      default:
        // pax/gnu metadata records are folded into headers by tar-stream; anything else is skipped like docker does.
        entry.resume();
    }
  }
  await feeding;
  // Directory times last: creating children bumped them.
  // By layer path, checked again: a later entry may have replaced the directory (or a parent) with a symlink,
  // and a time set through it would land on the host.
  for (const [rel, mtime] of dirTimes.reverse()) {
    if (lstatInside(root, rel)?.isDirectory()) fs.lutimesSync(path.join(root, rel), mtime, mtime);
  }
  return { size, entries, implicitDirs: [...implicitDirs], diffId: `sha256:${diffHash.digest('hex')}` };
}
