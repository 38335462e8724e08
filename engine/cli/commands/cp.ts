import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command, CliContext } from '../command';
import type { EngineClient } from '../../api/client';
import { EngineError } from '../../api/errors';
import { parseArgs } from '../args';
import { UsageError } from '../errors';
import { assertsDirectory, planCopy, renameTop, splitCpArg, splitDirEntry, type CopyDest, type CopySource } from '../../containers/files-copy';
import { extractTar, packTree } from '../../containers/files-tar';

/** Bytes per archivePut call: big enough to keep calls few, small enough to bound the engine's memory. */
const UPLOAD_CHUNK = 1024 * 1024;

async function* chunked(source: AsyncIterable<Buffer | Uint8Array | string>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    parts.push(b);
    n += b.length;
    while (n >= size) {
      const all = Buffer.concat(parts);
      yield all.subarray(0, size);
      parts = [all.subarray(size)];
      n -= size;
    }
  }
  if (n) yield Buffer.concat(parts);
}

async function upload(client: EngineClient, id: string, dir: string, tar: AsyncIterable<Buffer | Uint8Array | string>, copyUIDGID: boolean) {
  const uploadId = crypto.randomUUID();
  for await (const chunk of chunked(tar, UPLOAD_CHUNK)) {
    await client.call('containers.archivePut', { id, path: dir, uploadId, data: chunk.toString('base64'), copyUIDGID });
  }
  await client.call('containers.archivePut', { id, path: dir, uploadId, eof: true, copyUIDGID });
}

async function* download(client: EngineClient, id: string, p: string): AsyncGenerator<Buffer> {
  for await (const item of client.stream('containers.archiveGet', { id, path: p })) yield Buffer.from(item.data, 'base64');
}

/** Stats a container path; a missing one is `exists: false`, anything else wrong is an error. */
async function statInContainer(client: EngineClient, id: string, p: string) {
  try {
    return await client.call('containers.stat', { id, path: p });
  } catch (err) {
    if (err instanceof EngineError && err.code === 'not_found' && /Could not find the file/.test(err.message)) return null;
    throw err;
  }
}

/** A followed link keeps the name it was asked by (moby GetRebaseName). */
function followLink(requested: string, target: string): { path: string; rebaseName?: string } {
  const keepDir = requested.endsWith('/.') ? '/.' : requested.endsWith('/') ? '/' : '';
  const full = target + keepDir;
  const want = splitDirEntry(requested)[1];
  return splitDirEntry(full)[1] !== want ? { path: full, rebaseName: want } : { path: full };
}

async function copyOut(ctx: CliContext, id: string, srcPath: string, dest: string, follow: boolean): Promise<void> {
  const client = await ctx.client();
  let src = srcPath;
  let rebaseName: string | undefined;
  let stat = await client.call('containers.stat', { id, path: src });
  if (follow && stat.type === 'symlink' && stat.linkTarget) {
    ({ path: src, rebaseName } = followLink(srcPath, stat.linkTarget));
    stat = await client.call('containers.stat', { id, path: src });
  }
  if (dest === '-') {
    for await (const chunk of download(client, id, src)) {
      if (!ctx.io.stdout.write(chunk)) await new Promise((r) => ctx.io.stdout.once('drain', r));
    }
    return;
  }
  const local = path.resolve(dest) + (assertsDirectory(dest) && !dest.endsWith('/.') ? '/' : dest.endsWith('/.') ? '/.' : '');
  const st = fs.statSync(local, { throwIfNoEntry: false });
  const dst: CopyDest = { path: local, exists: !!st, isDir: !!st?.isDirectory() };
  const source: CopySource = { path: src, isDir: stat.type === 'directory', rebaseName };
  const plan = planCopy(source, dst);
  const top = splitDirEntry(src)[1];
  await extractTar(download(client, id, src), {
    root: '/',
    dest: path.resolve(plan.dir),
    owners: process.getuid?.() === 0 ? 'keep' : 'none',
    noOverwriteDirNonDir: false,
    rename: renameTop(top, plan.top),
  });
}

async function copyIn(ctx: CliContext, src: string, id: string, destPath: string, follow: boolean, archive: boolean): Promise<void> {
  const client = await ctx.client();
  let dstPath = destPath;
  let stat = await statInContainer(client, id, dstPath);
  if (stat?.type === 'symlink' && stat.linkTarget) {
    // The destination is always followed, as docker does.
    dstPath = stat.linkTarget;
    stat = await statInContainer(client, id, dstPath);
  }
  if (src === '-') {
    if (!stat || stat.type !== 'directory') throw new EngineError('invalid', `destination "${id}:${destPath}" must be a directory`);
    await upload(client, id, dstPath, ctx.io.stdin as AsyncIterable<Buffer>, archive);
    return;
  }
  const local = path.resolve(src) + (src.endsWith('/.') ? '/.' : src.endsWith('/') ? '/' : '');
  const lst = fs.lstatSync(local.replace(/\/\.?$/, '') || '/', { throwIfNoEntry: false });
  if (!lst) throw new EngineError('not_found', `lstat ${src}: no such file or directory`);
  let host = local.replace(/\/\.?$/, '') || '/';
  let source: CopySource = { path: local, isDir: lst.isDirectory() };
  if (lst.isSymbolicLink() && follow) {
    const target = fs.realpathSync(host);
    ({ path: host } = { path: target });
    const f = followLink(local, target);
    source = { path: f.path, isDir: fs.statSync(target).isDirectory(), rebaseName: f.rebaseName };
  }
  if (assertsDirectory(src) && !source.isDir) throw new EngineError('invalid', `${src}: not a directory`);
  const plan = planCopy(source, { path: dstPath, exists: !!stat, isDir: stat?.type === 'directory' });
  await upload(client, id, plan.dir, packTree(host, plan.top), archive);
}

export const cpCommand: Command = {
  name: 'cp',
  summary: 'Copy files/folders between a container and the local filesystem',
  usage: 'fd cp [-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-\n       fd cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH',
  async run(argv, ctx) {
    const { flags, args } = parseArgs(argv, {
      archive: { type: 'bool', short: 'a', description: 'Archive mode (copy all uid/gid information)' },
      'follow-link': { type: 'bool', short: 'L', description: 'Always follow symbol link in SRC_PATH' },
      quiet: { type: 'bool', short: 'q', description: 'Suppress progress output' },
    });
    if (args.length !== 2) throw new UsageError('requires exactly 2 arguments: SRC and DEST');
    const src = splitCpArg(args[0]!);
    const dst = splitCpArg(args[1]!);
    if (src.container !== null && dst.container !== null) throw new UsageError('copying between containers is not supported');
    if (src.container === null && dst.container === null) throw new UsageError('must specify at least one container source (CONTAINER:PATH)');
    if ((src.container !== null && !src.path) || (dst.container !== null && !dst.path)) throw new UsageError('the path after CONTAINER: must not be empty');
    try {
      if (src.container !== null) await copyOut(ctx, src.container, src.path, dst.path, flags['follow-link']);
      else await copyIn(ctx, src.path, dst.container!, dst.path, flags['follow-link'], flags.archive);
    } catch (err) {
      // Like docker: a failed copy is exit 1; an unreachable engine stays 125.
      if (err instanceof EngineError && err.code === 'unavailable') throw err;
      ctx.io.stderr.write(`fd: ${(err as Error).message}\n`);
      return 1;
    }
    return 0;
  },
};
