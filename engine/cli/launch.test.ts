// The launcher's code cache (engine/cli/launch.ts, built to dist/cli.js and, for bin/fd, dist/launch.cjs):
// whatever the cache holds, `fd` runs;
// a missing, corrupt or stale cache is written again, a good one is kept. Runs a copy of the built launcher and
// bundle (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const dist = path.resolve(import.meta.dirname, '..', '..', 'dist');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-launch-'));
  for (const name of ['cli.js', 'launch.cjs', 'cli.cjs']) fs.copyFileSync(path.join(dist, name), path.join(dir, name));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

let launcher = 'cli.js';

/** The user's cache directory the launcher falls back to when dist/cache cannot be written. */
const userCache = () => path.join(dir, 'xdg', 'flying-dutchman', 'cli-cache');
const env = () => ({ ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') });

function fdHelp() {
  const r = spawnSync(process.execPath, [path.join(dir, launcher), '--help'], { encoding: 'utf8', env: env() });
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('Usage: fd [--root DIR] COMMAND');
  expect(r.status).toBe(0);
}

function cacheFiles(): string[] {
  const cache = path.join(dir, 'cache');
  return fs.existsSync(cache) ? fs.readdirSync(cache).map((f) => path.join(cache, f)) : [];
}

/** The one cache file, after a run that must have written it. */
function writtenCache(): { file: string; bytes: Buffer; mtimeMs: number } {
  const files = cacheFiles();
  expect(files).toHaveLength(1);
  return { file: files[0]!, bytes: fs.readFileSync(files[0]!), mtimeMs: fs.statSync(files[0]!).mtimeMs };
}

/** Runs again and expects the cache untouched: V8 accepted it (a rejected one is written again). */
function expectAccepted(cache: { file: string; bytes: Buffer; mtimeMs: number }) {
  fdHelp();
  expect(fs.statSync(cache.file).mtimeMs).toBe(cache.mtimeMs);
  expect(fs.readFileSync(cache.file).equals(cache.bytes)).toBe(true);
}

describe.each(['cli.js', 'launch.cjs'])('fd launcher %s and its code cache', (name) => {
  beforeEach(() => (launcher = name));

  it('writes the cache on the first run, named for the bundle, the Node version and the command, and uses it after', () => {
    fdHelp();
    const cache = writtenCache();
    const key = /^\/\/ fd-cli-bundle ([0-9a-f]{16})\n/.exec(fs.readFileSync(path.join(dir, 'cli.cjs'), 'utf8'))?.[1];
    expect(path.basename(cache.file)).toBe(`cli-${key}-${process.version}-${process.arch}-help.bin`);
    expect(cache.bytes.length).toBeGreaterThan(1000);
    expectAccepted(cache);
    expect(fs.readdirSync(path.join(dir, 'cache'))).toHaveLength(1); // no temporary files left behind
  });

  it('ignores a corrupt cache, still runs, and writes a good one over it', () => {
    fdHelp();
    const { file } = writtenCache();
    fs.writeFileSync(file, Buffer.from('not a V8 code cache'));
    fdHelp();
    const cache = writtenCache();
    expect(cache.bytes.toString()).not.toBe('not a V8 code cache');
    expectAccepted(cache);
  });

  it('ignores a cache made for another bundle under the same key (V8 rejects it) and writes it again', () => {
    fdHelp();
    const before = writtenCache();
    fs.appendFileSync(path.join(dir, 'cli.cjs'), '\n// edited after the build\n');
    fdHelp();
    const after = writtenCache();
    expect(after.bytes.equals(before.bytes)).toBe(false);
    expectAccepted(after);
  });

  it('keeps one cache per command, after the global flags, also when the command fails', () => {
    fdHelp();
    const help = writtenCache();
    const r = spawnSync(process.execPath, [path.join(dir, launcher), '--root', path.join(dir, 'no-engine'), 'ps'], { encoding: 'utf8', env: env() });
    expect(r.stderr).toContain('cannot reach the engine');
    expect(r.status).toBe(125);
    expect(cacheFiles().map((f) => path.basename(f)).sort()).toEqual([path.basename(help.file), path.basename(help.file).replace(/-help\.bin$/, '-ps.bin')].sort());
    expectAccepted(help);
  });

  it('keeps the cache in the user\'s cache directory when dist/cache cannot be written, and drops other builds\' there', () => {
    fs.writeFileSync(path.join(dir, 'cache'), 'a file where the cache directory would go');
    fs.mkdirSync(userCache(), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(userCache(), 'cli-0123456789abcdef-v0-x64-help.bin'), 'of another build');
    fdHelp();
    const files = fs.readdirSync(userCache());
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^cli-[0-9a-f]{16}-v.*-help\.bin$/);
    const file = path.join(userCache(), files[0]!);
    const cache = { file, bytes: fs.readFileSync(file), mtimeMs: fs.statSync(file).mtimeMs };
    expectAccepted(cache);
    expect(fs.readFileSync(path.join(dir, 'cache'), 'utf8')).toBe('a file where the cache directory would go');
  });

  it('writes no cache into a user cache directory that others can write to or that is not the user\'s', () => {
    fs.writeFileSync(path.join(dir, 'cache'), 'a file where the cache directory would go');
    fs.mkdirSync(userCache(), { recursive: true });
    fs.chmodSync(userCache(), 0o777);
    fdHelp();
    expect(fs.readdirSync(userCache())).toEqual([]);
    if (process.getuid!() !== 0) return; // handing the directory to another user needs root
    fs.chmodSync(userCache(), 0o700);
    fs.chownSync(userCache(), 1, process.getgid!());
    fdHelp();
    expect(fs.readdirSync(userCache())).toEqual([]);
  });

  it('never leaves a cache others can write to, whatever the umask', () => {
    const r = spawnSync('sh', ['-c', 'umask 000 && exec "$0" "$1" --help', process.execPath, path.join(dir, launcher)], { encoding: 'utf8', env: env() });
    expect(r.status).toBe(0);
    const { file } = writtenCache();
    expect(fs.statSync(path.dirname(file)).mode & 0o022).toBe(0);
    expect(fs.statSync(file).mode & 0o022).toBe(0);
  });

  it('says how to build when the bundle is missing', () => {
    fs.rmSync(path.join(dir, 'cli.cjs'));
    const r = spawnSync(process.execPath, [path.join(dir, launcher), '--help'], { encoding: 'utf8', env: env() });
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('run "npm run build"');
  });
});
