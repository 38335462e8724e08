#!/usr/bin/env node
// One build: the engine/CLI bundle, the Electron main and preload bundles, and the renderer (vite).
// `--if-stale` skips the work when dist/ is newer than every source file.
import { build } from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(top, 'dist');
const stamp = path.join(dist, '.build-stamp');
const sourceDirs = ['engine', 'electron', 'renderer', 'bench', 'resources'];
const sourceFiles = ['package.json', 'package-lock.json', 'vite.config.ts', 'scripts/build.mjs'];

function newestSource() {
  let newest = 0;
  const walk = (p) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of [...sourceDirs, ...sourceFiles]) walk(path.join(top, d));
  return newest;
}

/** Chunks of earlier builds pile up in dist/chunks: drop those this build did not write once they are 10 minutes
 * old (a process started from the previous build may still load its chunks lazily). */
function removeStaleChunks(result) {
  const chunks = path.join(dist, 'chunks');
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(f)));
  for (const name of fs.existsSync(chunks) ? fs.readdirSync(chunks) : []) {
    const file = path.join(chunks, name);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && !written.has(file) && Date.now() - st.mtimeMs > 10 * 60_000) fs.rmSync(file, { force: true });
  }
}

if (process.argv.includes('--if-stale')) {
  const st = fs.statSync(stamp, { throwIfNoEntry: false });
  if (st && st.mtimeMs >= newestSource()) process.exit(0);
}

// Native addons and Electron stay outside the bundles; everything else is bundled for a fast `fd` start.
const external = ['better-sqlite3', '@napi-rs/xattr', 'electron'];
const nodeBanner = "import { createRequire as __fdCreateRequire } from 'node:module'; const require = __fdCreateRequire(import.meta.url);";

const started = Date.now();
const entries = [
  // Layer unpack worker threads (engine/images/unpack-pool.ts finds it next to dist/chunks and dist/electron).
  { in: 'engine/images/unpack-worker.ts', out: 'unpack-worker.js' },
  ...(fs.existsSync(path.join(top, 'bench/main.ts')) ? [{ in: 'bench/main.ts', out: 'bench.js' }] : []),
];
await build({
  entryPoints: entries.map((e) => ({ in: path.join(top, e.in), out: e.out.replace(/\.js$/, '') })),
  outdir: dist,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external,
  banner: { js: nodeBanner },
  logLevel: 'warning',
  metafile: true,
}).then(removeStaleChunks);

// The CLI (fast start, issue #3): the launcher (engine/cli/launch.ts, as dist/cli.js and as dist/launch.cjs for
// bin/fd) runs the CommonJS client bundle dist/cli.cjs through vm.Script with a V8 code cache (ES modules have
// none on Node 20). `fd engine` requires dist/engine.cjs on top (engine/cli/engine-bundle.ts): no other command
// reads, compiles or caches the engine.
const cliBundleKey = '// fd-cli-bundle ';
const cjsBundle = {
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  external,
  // Engine code finds its files through import.meta.dirname (ESM); in a CommonJS bundle that is __dirname (dist).
  define: { 'import.meta.dirname': '__dirname' },
  logLevel: 'warning',
};
// `import('../engine-bundle')` (engine/cli/commands/engine.ts) becomes a require of dist/engine.cjs.
const engineApart = {
  name: 'engine-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/engine-bundle$/ }, () => ({ path: 'engine-bundle', namespace: 'engine-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'engine-apart' }, () => ({ contents: "module.exports = require('./engine.cjs');", loader: 'js' }));
    b.onResolve({ filter: /^\.\/engine\.cjs$/ }, () => ({ path: './engine.cjs', external: true }));
  },
};
// Written here, each file under a temporary name and then renamed: an `fd` started during a build reads the old
// files or the new ones, never half a bundle.
const cliOutputs = await Promise.all([
  build({ ...cjsBundle, write: false, entryPoints: { engine: path.join(top, 'engine/cli/engine-bundle.ts') } }),
  build({ ...cjsBundle, write: false, entryPoints: { cli: path.join(top, 'engine/cli/entry.ts') }, plugins: [engineApart], banner: { js: `${cliBundleKey}${'0'.repeat(16)}` } }),
  build({ write: false, entryPoints: { cli: path.join(top, 'engine/cli/launch.ts') }, outdir: dist, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' }),
  // bin/fd (CommonJS, no ES module loader to start) requires this copy of the launcher.
  build({ ...cjsBundle, sourcemap: false, write: false, entryPoints: { launch: path.join(top, 'engine/cli/launch.ts') } }),
]);
for (const { path: file, text } of cliOutputs.flatMap((r) => r.outputFiles)) {
  let out = text;
  if (file === path.join(dist, 'cli.cjs')) {
    // The code cache key: the bundle's hash in its first line (as long as the placeholder: the map still fits).
    if (!text.startsWith(`${cliBundleKey}${'0'.repeat(16)}\n`)) throw new Error('dist/cli.cjs does not start with its key placeholder');
    out = cliBundleKey + crypto.createHash('sha256').update(text).digest('hex').slice(0, 16) + text.slice(cliBundleKey.length + 16);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}.tmp`, out);
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
}
fs.rmSync(path.join(dist, 'cache'), { recursive: true, force: true });
fs.rmSync(path.join(dist, 'cli.js.map'), { force: true }); // of the ES module CLI bundle of earlier builds

if (fs.existsSync(path.join(top, 'electron/main.ts'))) {
  await build({
    entryPoints: ['main', 'preload'].filter((n) => fs.existsSync(path.join(top, `electron/${n}.ts`))).map((n) => ({ in: path.join(top, `electron/${n}.ts`), out: n })),
    outdir: path.join(dist, 'electron'),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'linked',
    external,
    // Shared engine code finds its files through import.meta.dirname (ESM); in this CommonJS bundle that is __dirname.
    define: { 'import.meta.dirname': '__dirname' },
    logLevel: 'warning',
  });
}

if (fs.existsSync(path.join(top, 'renderer/index.html'))) {
  const r = spawnSync(process.execPath, [path.join(top, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: top, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

fs.mkdirSync(dist, { recursive: true });
// Native helpers: fd-attach bridges conmon's SOCK_SEQPACKET attach socket, which Node cannot open.
{
  const src = path.join(top, 'engine/runtime/native/fd-attach.c');
  const out = path.join(dist, 'native', 'fd-attach');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', out, src], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('[build] warning: could not compile fd-attach (install a C compiler); attach, exec -i and run -i need it\n');
}
fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write(`[build] done in ${Date.now() - started} ms\n`);
