import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, loadWindowState, MIN_SIZE, placeWindow, saveWindowState, type DisplayLike } from './window-state';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-winstate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const laptop: DisplayLike = { workArea: { x: 0, y: 0, width: 1440, height: 900 } };
const external: DisplayLike = { workArea: { x: 1440, y: 0, width: 2560, height: 1440 } };

describe('window state', () => {
  it('restores the size and position it saved', () => {
    const file = path.join(dir, 'a', 'window-state.json');
    saveWindowState(file, { bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: true });
    const loaded = loadWindowState(file);
    expect(loaded).toEqual({ bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: true });
    expect(placeWindow(loaded, [laptop], laptop)).toEqual(loaded);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['window-state.json']);
  });

  it('opens centred at the default size the first time or when the file is corrupt', () => {
    const file = path.join(dir, 'corrupt.json');
    fs.writeFileSync(file, '{"bounds": {"x": "left"');
    expect(loadWindowState(file)).toBeNull();
    expect(loadWindowState(path.join(dir, 'missing.json'))).toBeNull();
    const placed = placeWindow(null, [laptop], laptop);
    expect(placed.bounds).toEqual({ x: (1440 - DEFAULT_SIZE.width) / 2, y: (900 - DEFAULT_SIZE.height) / 2, ...DEFAULT_SIZE });
  });

  it('a window left on an unplugged monitor comes back centred on the primary display', () => {
    const saved = { bounds: { x: 2000, y: 200, width: 1200, height: 800 }, maximized: false };
    expect(placeWindow(saved, [laptop, external], laptop)).toEqual(saved);
    const placed = placeWindow(saved, [laptop], laptop);
    expect(placed.bounds).toEqual({ x: 120, y: 50, width: 1200, height: 800 });
  });

  it('is pulled fully onto the display it overlaps most, and shrunk to fit a smaller screen', () => {
    const hanging = { bounds: { x: 1300, y: 600, width: 900, height: 600 }, maximized: false };
    // Overlaps the external display more than the laptop: moved inside the external one.
    expect(placeWindow(hanging, [laptop, external], laptop).bounds).toEqual({ x: 1440, y: 600, width: 900, height: 600 });
    const huge = { bounds: { x: -50, y: -50, width: 3000, height: 2000 }, maximized: false };
    expect(placeWindow(huge, [laptop], laptop).bounds).toEqual({ x: 0, y: 0, width: 1440, height: 900 });
    const tiny = { bounds: { x: 10, y: 10, width: 100, height: 50 }, maximized: false };
    expect(placeWindow(tiny, [laptop], laptop).bounds).toMatchObject({ width: MIN_SIZE.width, height: MIN_SIZE.height });
  });
});
