// The `fd` launcher (built to dist/cli.js, and to dist/launch.cjs for bin/fd; the desktop app runs dist/cli.js).
// It runs the CLI bundle (dist/cli.cjs) through vm.Script with a V8 code cache, so a command starts without
// parsing and compiling the bundle again: Node 20 has no compile cache of its own and none for ES modules. The
// cache lives in dist/cache (in the user's cache directory when dist/ is read-only), keyed by the bundle's hash
// (its first line, written by scripts/build.mjs), the Node version and the command (each cache holds the
// functions its command ran). V8 rejects a cache that does not fit the source, and then it is written again; a
// cache that cannot be read or written only costs speed.
// Builtins come through process.getBuiltinModule: an ES module importing one pays for its whole export facade.
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const vm = process.getBuiltinModule('node:vm');
const { createRequire } = process.getBuiltinModule('node:module');

const dist = import.meta.dirname;
const bundle = path.join(dist, 'cli.cjs');
/** Loaded only by `fd engine`; a process that loaded it does not write the cache (it would carry the engine). */
const engineBundle = path.join(dist, 'engine.cjs');

/** What the bundle's entry (engine/cli/entry.ts) exports. */
interface CliBundle {
  cliEntry(): void;
}

function readSource(): string {
  try {
    return fs.readFileSync(bundle, 'utf8');
  } catch (err) {
    process.stderr.write(`fd: ${bundle} cannot be read (${(err as Error).message}): run "npm run build" (or "npm start") in ${path.dirname(dist)} first\n`);
    process.exit(125);
  }
}

/** The command word after the global flags (as engine/cli/main.ts reads them); `help` when there is none. */
function commandWord(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root') i++;
    else if (!a.startsWith('--root=')) return /^[a-z]+$/.test(a) ? a : a.startsWith('-') ? 'help' : 'other';
  }
  return 'help';
}

/** The cache's file name: the bundle's key, the Node version and the command; null for a bundle without a key. */
function cacheName(source: string): { key: string; name: string } | null {
  const key = /^\/\/ fd-cli-bundle ([0-9a-f]{16,})\n/.exec(source.slice(0, 100))?.[1];
  return key ? { key, name: `cli-${key}-${process.version}-${process.arch}-${commandWord(process.argv.slice(2))}.bin` } : null;
}

/**
 * Where a read-only install (the packaged app, a checkout that belongs to root) keeps its caches: the user's cache
 * directory. Only a directory of this user's that nobody else can write to is trusted: V8 runs what a cache holds.
 */
function userCacheDir(): string | null {
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  return path.isAbsolute(base) ? path.join(base, 'flying-dutchman', 'cli-cache') : null;
}

function trustedDir(dir: string): boolean {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function readFile(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function readCache(name: string): Buffer | undefined {
  const own = readFile(path.join(dist, 'cache', name));
  if (own) return own;
  const user = userCacheDir();
  return user && trustedDir(user) ? readFile(path.join(user, name)) : undefined;
}

/**
 * Written whole under a temporary name, then renamed: a racing reader sees the old cache or the new one. Never
 * writable by others, whatever the umask (V8 runs what a cache holds).
 */
function writeFileAtomically(file: string, data: Buffer): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o644 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
    return false;
  }
}

function writeCache({ key, name }: { key: string; name: string }, data: Buffer) {
  try {
    fs.mkdirSync(path.join(dist, 'cache'), { recursive: true, mode: 0o755 });
    if (writeFileAtomically(path.join(dist, 'cache', name), data)) return;
  } catch {
    // a read-only install: the user's cache directory below
  }
  const user = userCacheDir();
  if (!user) return;
  try {
    fs.mkdirSync(user, { recursive: true, mode: 0o700 });
    if (!trustedDir(user)) return;
    // Caches of other builds are of no more use (the build clears dist/cache; this directory has no build).
    for (const old of fs.readdirSync(user)) if (!old.startsWith(`cli-${key}-`)) fs.rmSync(path.join(user, old), { force: true });
    writeFileAtomically(path.join(user, name), data);
  } catch {
    // no cache this time
  }
}

const source = readSource();
const cache = cacheName(source);
const cachedData = cache ? readCache(cache.name) : undefined;
// The CommonJS wrapper on the bundle's first line keeps its line numbers in stack traces.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const bundleRequire = createRequire(bundle);
if (cache && (!cachedData || script.cachedDataRejected)) {
  // After the command ran, the cache also holds the functions it compiled on the way.
  process.once('exit', () => {
    if (!bundleRequire.cache[engineBundle]) writeCache(cache, script.createCachedData());
  });
}
const cjsModule = { exports: {} as CliBundle };
(script.runInThisContext() as (...args: unknown[]) => void)(cjsModule.exports, bundleRequire, cjsModule, bundle, dist);
cjsModule.exports.cliEntry();
