import { encodePng } from './png';
import type { Presence } from './tray-menu';

/*
 * Sealcall's mark (renderer/public/favicon.svg: a shield with a padlock), rasterised in code for the
 * installers and the tray. Coordinates are the SVG's 32-unit viewBox. Edges are anti-aliased by
 * sampling each pixel on a grid.
 */

type Rgb = readonly [number, number, number];

const ACCENT: Rgb = [0x0f, 0x5f, 0xd6];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const PRESENCE_COLOUR: Readonly<Record<Presence, Rgb>> = {
  online: [0x1e, 0x9e, 0x4a],
  busy: [0xd9, 0x3a, 0x2b],
  connecting: [0xe0, 0x9b, 0x12],
  offline: [0x80, 0x88, 0x94],
};

function cubic(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

/** M16 2 4 6.5v8.2C4 22.4 9.1 28.6 16 30c6.9-1.4 12-7.6 12-15.3V6.5Z, flattened. */
const SHIELD: ReadonlyArray<readonly [number, number]> = (() => {
  const points: Array<readonly [number, number]> = [
    [16, 2],
    [4, 6.5],
    [4, 14.7],
  ];
  const steps = 24;
  for (let i = 1; i <= steps; i += 1) {
    const t = i / steps;
    points.push([cubic(4, 4, 9.1, 16, t), cubic(14.7, 22.4, 28.6, 30, t)]);
  }
  for (let i = 1; i <= steps; i += 1) {
    const t = i / steps;
    points.push([cubic(16, 22.9, 28, 28, t), cubic(30, 28.6, 22.4, 14.7, t)]);
  }
  points.push([28, 6.5]);
  return points;
})();

function insideShield(x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = SHIELD.length - 1; i < SHIELD.length; j = i, i += 1) {
    const [xi, yi] = SHIELD[i] ?? [0, 0];
    const [xj, yj] = SHIELD[j] ?? [0, 0];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The padlock: body 11..21 x 15..22, shackle an arc of radius 2..4 around (16, 12.5) with legs down to 15. */
function insideLock(x: number, y: number): boolean {
  if (x >= 11 && x <= 21 && y >= 15 && y <= 22) return true;
  if (y >= 12.5 && y <= 15) return (x >= 12 && x <= 14) || (x >= 18 && x <= 20);
  if (y < 12.5) {
    const d = Math.hypot(x - 16, y - 12.5);
    return d >= 2 && d <= 4;
  }
  return false;
}

export interface IconOptions {
  /** A status dot in the lower right corner, for the tray. */
  readonly presence?: Presence;
}

/** Straight (not premultiplied) RGBA pixels of the mark at `size` x `size`. */
export function drawMark(size: number, options: IconOptions = {}): Uint8Array {
  const grid = 4;
  const scale = 32 / size;
  const pixels = new Uint8Array(size * size * 4);
  const dot = options.presence === undefined ? null : PRESENCE_COLOUR[options.presence];
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < grid; sy += 1) {
        for (let sx = 0; sx < grid; sx += 1) {
          const x = (px + (sx + 0.5) / grid) * scale;
          const y = (py + (sy + 0.5) / grid) * scale;
          const colour = sampleColour(x, y, dot);
          if (colour === null) continue;
          covered += 1;
          r += colour[0];
          g += colour[1];
          b += colour[2];
        }
      }
      const at = (py * size + px) * 4;
      if (covered > 0) {
        pixels[at] = Math.round(r / covered);
        pixels[at + 1] = Math.round(g / covered);
        pixels[at + 2] = Math.round(b / covered);
        pixels[at + 3] = Math.round((255 * covered) / (grid * grid));
      }
    }
  }
  return pixels;
}

function sampleColour(x: number, y: number, dot: Rgb | null): Rgb | null {
  if (dot !== null) {
    const d = Math.hypot(x - 25, y - 25);
    if (d <= 5.5) return d <= 4.2 ? dot : WHITE;
  }
  if (!insideShield(x, y)) return null;
  return insideLock(x, y) ? WHITE : ACCENT;
}

export function markPng(size: number, options: IconOptions = {}): Uint8Array {
  return encodePng(size, size, drawMark(size, options));
}
