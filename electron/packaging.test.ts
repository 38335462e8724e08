import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encodePng, iconFiles, PNG_SIGNATURE } from './icon-art';

const top = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const config = parse(fs.readFileSync(path.join(top, 'electron-builder.yml'), 'utf8'));

function pngSize(file: string) {
  const buf = fs.readFileSync(file);
  expect(buf.subarray(0, 8).equals(PNG_SIGNATURE), file).toBe(true);
  expect(buf.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('packaging (electron-builder.yml, resources/)', () => {
  it("matches electron-builder's own configuration schema", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // And the schema check is real: a misspelt key is refused.
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, categry: 'x' } }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('builds AppImage and deb in category Development, dmg and zip for macOS, with the native addon unpacked', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Development');
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/**/*', 'node_modules/**/*']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/build/Release/*.node', 'dist/native/**']));
    expect(fs.existsSync(path.join(top, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(top, 'package.json'), 'utf8')).main).toBe('dist/electron/main.cjs');
  });

  it('every resource it names exists: icon directory with the standard sizes, the macOS icon', () => {
    const iconDir = path.join(top, config.linux.icon);
    for (const s of [16, 32, 48, 64, 128, 256, 512]) expect(pngSize(path.join(iconDir, `${s}x${s}.png`))).toEqual({ width: s, height: s });
    expect(pngSize(path.join(top, config.mac.icon))).toEqual({ width: 1024, height: 1024 });
    expect(fs.statSync(path.join(top, config.directories.buildResources)).isDirectory()).toBe(true);
  });

  it('resources/ icons are exactly what scripts/make-icons.mjs draws (regenerate them, never hand-edit)', () => {
    for (const [rel, draw] of Object.entries(iconFiles())) {
      const onDisk = fs.readFileSync(path.join(top, 'resources', rel));
      expect(onDisk.equals(encodePng(draw())), `${rel} is stale: run node scripts/make-icons.mjs`).toBe(true);
    }
    for (const v of ['tray-light', 'tray-dark', 'trayTemplate']) expect(fs.existsSync(path.join(top, 'resources/tray', `${v}@2x.png`))).toBe(true);
  });

  it('the tray template icon is black with alpha only (macOS recolours it)', () => {
    const raster = iconFiles()['tray/trayTemplate.png']!();
    let opaque = 0;
    for (let i = 0; i < raster.data.length; i += 4) {
      if (raster.data[i + 3]! > 0) opaque++;
      expect([raster.data[i], raster.data[i + 1], raster.data[i + 2]]).toEqual([0, 0, 0]);
    }
    expect(opaque).toBeGreaterThan(20);
  });

  it('the desktop entry is valid and launches the packaged executable', () => {
    const text = fs.readFileSync(path.join(top, 'resources/flying-dutchman.desktop'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    const entry = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(entry).toMatchObject({ Type: 'Application', Name: 'Flying Dutchman', Terminal: 'false', Categories: 'Development;' });
    expect(entry.Exec).toBe(`${config.executableName} %F`);
    expect(entry.Icon).toBe(config.executableName);
    for (const l of lines.slice(1)) expect(l).toMatch(/^[A-Za-z]+=.+$/);
  });
});
