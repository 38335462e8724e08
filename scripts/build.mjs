#!/usr/bin/env node
// One build: the engine/CLI bundle, the Electron main and preload bundles, and the renderer (vite).
// `--if-stale` skips the work when dist/ is newer than every source file.
import { build } from 'esbuild';
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

if (process.argv.includes('--if-stale')) {
  const st = fs.statSync(stamp, { throwIfNoEntry: false });
  if (st && st.mtimeMs >= newestSource()) process.exit(0);
}

// Native addons and Electron stay outside the bundles; everything else is bundled for a fast `fd` start.
const external = ['better-sqlite3', '@napi-rs/xattr', 'electron'];
const nodeBanner = "import { createRequire as __fdCreateRequire } from 'node:module'; const require = __fdCreateRequire(import.meta.url);";

const started = Date.now();
const entries = [
  { in: 'engine/cli/entry.ts', out: 'cli.js' },
  ...(fs.existsSync(path.join(top, 'bench/main.ts')) ? [{ in: 'bench/main.ts', out: 'bench.js' }] : []),
];
await build({
  entryPoints: entries.map((e) => ({ in: path.join(top, e.in), out: e.out.replace(/\.js$/, '') })),
  outdir: dist,
  bundle: true,
  // Dynamic imports become chunks: `fd ps` does not load the engine that only `fd engine` runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external,
  banner: { js: nodeBanner },
  logLevel: 'warning',
});

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
