// The `fd` launcher (built to dist/cli.js; bin/fd and the desktop app run it). It runs the CLI bundle
// (dist/cli.cjs) through vm.Script with a V8 code cache, so a command starts without parsing and compiling the
// bundle again: Node 20 has no compile cache of its own and none for ES modules. The cache lives in dist/cache,
// keyed by the bundle's hash (its first line, written by scripts/build.mjs), the Node version and the command
// (each cache holds the functions its command ran); V8 rejects a cache that does not fit the source, and then it
// is written again. A cache that cannot be read or written (a
// read-only install) only costs speed.
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

function cachePath(source: string): string | null {
  const key = /^\/\/ fd-cli-bundle ([0-9a-f]{16,})\n/.exec(source.slice(0, 100))?.[1];
  return key ? path.join(dist, 'cache', `cli-${key}-${process.version}-${process.arch}-${commandWord(process.argv.slice(2))}.bin`) : null;
}

function readCache(file: string | null): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written whole under a temporary name, then renamed: a racing reader sees the old cache or the new one. */
function writeCache(file: string, data: Buffer) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}

const source = readSource();
const cacheFile = cachePath(source);
const cachedData = readCache(cacheFile);
// The CommonJS wrapper on the bundle's first line keeps its line numbers in stack traces.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const bundleRequire = createRequire(bundle);
if (cacheFile && (!cachedData || script.cachedDataRejected)) {
  // After the command ran, the cache also holds the functions it compiled on the way.
  process.once('exit', () => {
    if (!bundleRequire.cache[engineBundle]) writeCache(cacheFile, script.createCachedData());
  });
}
const cjsModule = { exports: {} as CliBundle };
(script.runInThisContext() as (...args: unknown[]) => void)(cjsModule.exports, bundleRequire, cjsModule, bundle, dist);
cjsModule.exports.cliEntry();
