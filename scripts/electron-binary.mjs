// Is a usable Electron binary installed? Answered from the file system only: `require('electron')` and
// `npx electron` would try to download it, which fails on offline machines (design §6).
import fs from 'node:fs';
import path from 'node:path';

const names = { linux: 'electron', darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

/** The Electron executable under `top/node_modules/electron/dist`, or null when it is not there. */
export function findElectronBinary(top, platform = process.platform) {
  const file = path.join(top, 'node_modules', 'electron', 'dist', names[platform] ?? 'electron');
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return null;
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return null;
  }
}
