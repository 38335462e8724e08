#!/usr/bin/env node
// Regenerates resources/ icons from electron/icon-art.ts (the same code the tray uses for its count badge).
// The drawing module is TypeScript, so it is bundled with esbuild to a temp file and imported.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-icons-'));
try {
  const out = path.join(tmp, 'icon-art.mjs');
  await build({ entryPoints: [path.join(top, 'electron/icon-art.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  const { iconFiles, encodePng } = await import(pathToFileURL(out).href);
  for (const [rel, draw] of Object.entries(iconFiles())) {
    const file = path.join(top, 'resources', rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodePng(draw()));
    process.stdout.write(`wrote resources/${rel}\n`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
