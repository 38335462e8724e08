import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const top = path.resolve(import.meta.dirname, '..');
const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-electron-bin-'));
afterAll(() => fs.rmSync(fake, { recursive: true, force: true }));

describe('Electron binary detection (npm start picks the desktop app or the web host with it)', () => {
  it('finds an executable node_modules/electron/dist/electron and nothing else', () => {
    const dist = path.join(fake, 'node_modules', 'electron', 'dist');
    expect(findElectronBinary(fake, 'linux')).toBeNull();
    fs.mkdirSync(dist, { recursive: true });
    expect(findElectronBinary(fake, 'linux')).toBeNull();
    // A half-finished download: the file exists but is not executable.
    fs.writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\n', { mode: 0o644 });
    if (process.getuid?.() !== 0) expect(findElectronBinary(fake, 'linux')).toBeNull();
    fs.chmodSync(path.join(dist, 'electron'), 0o755);
    expect(findElectronBinary(fake, 'linux')).toBe(path.join(dist, 'electron'));
    // macOS keeps it inside the app bundle.
    expect(findElectronBinary(fake, 'darwin')).toBeNull();
  });

  it('answers for this checkout without asking the electron package (which would try to download)', () => {
    const expected = fs.existsSync(path.join(top, 'node_modules/electron/dist/electron')) ? path.join(top, 'node_modules/electron/dist/electron') : null;
    expect(findElectronBinary(top)).toBe(expected);
    expect(fs.existsSync(path.join(top, 'node_modules/electron/dist'))).toBe(expected !== null);
  });
});
