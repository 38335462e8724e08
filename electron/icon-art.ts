// The app's icons drawn from code (a ship under sail), so resources/ can be regenerated and the tray can
// draw its running-count badge at run time without image tooling. Shapes are tested per subpixel (4×4
// supersampling) and the result is written as an RGBA PNG with zlib.
import zlib from 'node:zlib';

export interface Raster {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, rows top to bottom. */
  data: Uint8Array;
}

type RGBA = [number, number, number, number];
/** A shape in unit coordinates (0..1 across the icon). */
type Shape = (x: number, y: number) => boolean;

const SUB = 4;

function blank(size: number): Raster {
  return { width: size, height: size, data: new Uint8Array(size * size * 4) };
}

/** Paints `shape` in `color` over the raster ("over" compositing with subpixel coverage). */
function paint(r: Raster, shape: Shape, color: RGBA): void {
  const { width: w, height: h, data } = r;
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUB; sy++)
        for (let sx = 0; sx < SUB; sx++) if (shape((px + (sx + 0.5) / SUB) / w, (py + (sy + 0.5) / SUB) / h)) hits++;
      if (!hits) continue;
      const a = (color[3] / 255) * (hits / (SUB * SUB));
      const i = (py * w + px) * 4;
      const da = data[i + 3]! / 255;
      const oa = a + da * (1 - a);
      for (let c = 0; c < 3; c++) data[i + c] = Math.round((color[c]! * a + data[i + c]! * da * (1 - a)) / (oa || 1));
      data[i + 3] = Math.round(oa * 255);
    }
  }
}

const roundedRect =
  (x0: number, y0: number, x1: number, y1: number, rad: number): Shape =>
  (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
    const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
    return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
  };

const triangle =
  (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape =>
  (x, y) => {
    const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
    const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
    const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };

const circle =
  (cx: number, cy: number, rad: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;

const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));

/** Hull: a trapezoid wider at the deck. */
const hull: Shape = (x, y) => y >= 0.64 && y <= 0.78 && x >= 0.2 + (y - 0.64) * 0.8 && x <= 0.84 - (y - 0.64) * 0.8;
const mainSail = triangle(0.53, 0.14, 0.53, 0.6, 0.8, 0.6);
const foreSail = triangle(0.47, 0.22, 0.47, 0.6, 0.24, 0.6);
const mast: Shape = (x, y) => x >= 0.485 && x <= 0.515 && y >= 0.12 && y <= 0.66;
const ship = union(hull, mainSail, foreSail, mast);

export function drawAppIcon(size: number): Raster {
  const r = blank(size);
  const plate = roundedRect(0.04, 0.04, 0.96, 0.96, 0.2);
  paint(r, plate, [24, 48, 74, 255]);
  paint(r, (x, y) => plate(x, y) && y > 0.8 + 0.025 * Math.sin(x * 18), [46, 140, 186, 255]);
  paint(r, mainSail, [244, 246, 248, 255]);
  paint(r, foreSail, [204, 214, 224, 255]);
  paint(r, mast, [230, 234, 238, 255]);
  paint(r, hull, [232, 176, 74, 255]);
  return r;
}

export type TrayVariant = 'light' | 'dark' | 'template';

/**
 * The tray glyph: dark on light panels, light on dark panels; "template" is black with alpha for the macOS
 * menu bar (the system recolours it).
 */
export function drawTrayIcon(size: number, variant: TrayVariant, count = 0): Raster {
  const r = blank(size);
  const color: RGBA = variant === 'dark' ? [236, 240, 244, 255] : variant === 'light' ? [32, 38, 46, 255] : [0, 0, 0, 255];
  paint(r, ship, color);
  if (count > 0 && variant !== 'template') drawBadge(r, count);
  return r;
}

// 3×5 digits for the running-count badge.
const DIGITS: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '010', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '+': ['000', '010', '111', '010', '000'],
};

export const badgeText = (count: number) => (count > 9 ? '9+' : String(count));

/** A red disc in the lower right with the count in white. */
export function drawBadge(r: Raster, count: number): void {
  const text = badgeText(count);
  const cx = 0.7;
  const cy = 0.7;
  const rad = 0.3;
  paint(r, circle(cx, cy, rad), [217, 69, 61, 255]);
  // Glyph cells: each character 3 columns + 1 gap, 5 rows, fitted into the disc.
  const cols = text.length * 4 - 1;
  const cell = Math.min((rad * 1.3) / cols, (rad * 1.2) / 5);
  const x0 = cx - (cols * cell) / 2;
  const y0 = cy - (5 * cell) / 2;
  const glyphs: Shape = (x, y) => {
    const col = Math.floor((x - x0) / cell);
    const row = Math.floor((y - y0) / cell);
    if (col < 0 || row < 0 || row > 4 || col >= cols || col % 4 === 3) return false;
    return DIGITS[text[Math.floor(col / 4)]!]?.[row]?.[col % 4] === '1';
  };
  paint(r, glyphs, [255, 255, 255, 255]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(r: Raster): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(r.width, 0);
  ihdr.writeUInt32BE(r.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const stride = r.width * 4;
  const raw = Buffer.alloc((stride + 1) * r.height);
  for (let y = 0; y < r.height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(r.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array())]);
}

/** Every icon file resources/ holds, by path relative to resources/. */
export function iconFiles(): Record<string, () => Raster> {
  const files: Record<string, () => Raster> = { 'icon.png': () => drawAppIcon(1024) };
  for (const s of [16, 32, 48, 64, 128, 256, 512]) files[`icons/${s}x${s}.png`] = () => drawAppIcon(s);
  for (const v of ['light', 'dark'] as const) {
    files[`tray/tray-${v}.png`] = () => drawTrayIcon(22, v);
    files[`tray/tray-${v}@2x.png`] = () => drawTrayIcon(44, v);
  }
  files['tray/trayTemplate.png'] = () => drawTrayIcon(16, 'template');
  files['tray/trayTemplate@2x.png'] = () => drawTrayIcon(32, 'template');
  return files;
}
