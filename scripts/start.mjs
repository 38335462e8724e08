#!/usr/bin/env node
// `npm start`: the Electron app where its binary exists; otherwise the web host with the same UI, whose URL
// (with its token) is printed. Never triggers Electron's binary download (it fails on offline machines).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronBinary = findElectronBinary(top);
const extra = process.argv.slice(2);

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: top, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

if (electronBinary && fs.existsSync(path.join(top, 'dist/electron/main.cjs'))) {
  const sandboxArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  run(electronBinary, [...sandboxArgs, path.join(top, 'dist/electron/main.cjs'), ...extra]);
} else {
  process.stderr.write(
    'No Electron binary in node_modules/electron/dist (its download needs a network this machine does not have).\n' +
      'Starting the web host instead: open the URL printed below in a browser.\n',
  );
  const ui = process.env.FD_UI ?? '127.0.0.1:7780';
  run(process.execPath, [path.join(top, 'bin/fd'), 'engine', '--ui', ui, ...extra]);
}
