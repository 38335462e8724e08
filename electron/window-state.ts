// The window comes back where the user left it — unless that place is gone (a monitor unplugged, a smaller
// screen): then it is pulled fully onto the display it overlapped most, or centred on the primary one.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

export interface DisplayLike {
  workArea: Bounds;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 };
export const MIN_SIZE = { width: 760, height: 480 };

const Int = z.number().int().min(-100_000).max(100_000);
const Saved = z.object({
  bounds: z.object({ x: Int, y: Int, width: Int.positive(), height: Int.positive() }),
  maximized: z.boolean(),
});

/** The saved state, or null when there is none or it is unreadable (a corrupt file must not block start). */
export function loadWindowState(file: string): WindowState | null {
  try {
    const parsed = Saved.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written to a temp file and renamed, so a crash mid-write leaves the previous state intact. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Where to open the window given the saved state and the displays attached now. */
export function placeWindow(saved: WindowState | null, displays: DisplayLike[], primary: DisplayLike): WindowState {
  const wanted = saved?.bounds ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  let target = primary;
  let best = 0;
  if (saved) {
    for (const d of displays) {
      const o = overlap(wanted, d.workArea);
      if (o > best) {
        best = o;
        target = d;
      }
    }
  }
  const area = target.workArea;
  const width = clamp(wanted.width, Math.min(MIN_SIZE.width, area.width), area.width);
  const height = clamp(wanted.height, Math.min(MIN_SIZE.height, area.height), area.height);
  // Off every display (or first start): centre on the primary display.
  const centred = !saved || best === 0;
  const x = centred ? area.x + Math.round((area.width - width) / 2) : clamp(wanted.x, area.x, area.x + area.width - width);
  const y = centred ? area.y + Math.round((area.height - height) / 2) : clamp(wanted.y, area.y, area.y + area.height - height);
  return { bounds: { x, y, width, height }, maximized: saved?.maximized ?? false };
}
