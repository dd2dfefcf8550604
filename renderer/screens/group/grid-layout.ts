/**
 * How many columns and rows the group call's tiles take. Every tile keeps one aspect ratio (16:9,
 * a camera's), and the layout that gives them the largest size in the stage wins, so a wide
 * window puts people side by side and a tall one stacks them.
 */

/** A page of the grid shows at most 9 tiles (3 × 3), as Zoom and Meet do on a laptop. */
export const MAX_TILES = 9;

/**
 * A tile narrower than this (CSS pixels) shows too little of a face to be worth it: a small window
 * gets fewer tiles on a page, and more pages, instead.
 */
export const MIN_TILE_WIDTH = 200;

export interface GridLayout {
  columns: number;
  rows: number;
  /** The size each tile gets, in the container's units. */
  tileWidth: number;
  tileHeight: number;
}

export interface GridOptions {
  /** Width over height of a tile. */
  aspect?: number;
  /** Space between tiles, horizontally and vertically. */
  gap?: number;
}

const DEFAULT_ASPECT = 16 / 9;

/** The largest tile of `aspect` that fits `columns` × `rows` in the container, with `gap` between. */
function tileSize(columns: number, rows: number, width: number, height: number, aspect: number, gap: number) {
  const cellWidth = Math.max(0, (width - (columns - 1) * gap) / columns);
  const cellHeight = Math.max(0, (height - (rows - 1) * gap) / rows);
  const tileWidth = Math.min(cellWidth, cellHeight * aspect);
  return { tileWidth, tileHeight: tileWidth / aspect };
}

/**
 * The grid for `count` tiles (1 to 9) in a `width` × `height` container. Of two layouts with
 * tiles of the same size, the one with fewer rows wins (a row reads left to right); for a given
 * number of columns, rows are as few as the tiles allow.
 */
export function gridLayout(count: number, width: number, height: number, options: GridOptions = {}): GridLayout {
  const aspect = options.aspect ?? DEFAULT_ASPECT;
  const gap = options.gap ?? 0;
  if (!Number.isInteger(count) || count < 1 || count > MAX_TILES) throw new RangeError(`a group call shows 1 to ${MAX_TILES} tiles, not ${count}`);
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new RangeError('the tile aspect must be a positive number');
  if (!(gap >= 0) || !Number.isFinite(gap)) throw new RangeError('the gap must be zero or more');
  // A container not laid out yet (0 × 0) still gets a sensible shape: square-ish, like a 16:9 stage.
  const usableWidth = Number.isFinite(width) && width > 0 ? width : 16;
  const usableHeight = Number.isFinite(height) && height > 0 ? height : 9;

  let best: GridLayout | null = null;
  for (let columns = 1; columns <= count; columns++) {
    // The fewest rows for these columns: more would only leave a row empty.
    const rows = Math.ceil(count / columns);
    const size = tileSize(columns, rows, usableWidth, usableHeight, aspect, gap);
    const candidate: GridLayout = { columns, rows, ...size };
    if (best === null || isBetter(candidate, best)) best = candidate;
  }
  if (best === null) throw new Error('unreachable: one column always fits');
  return width > 0 && height > 0 ? best : { ...best, tileWidth: 0, tileHeight: 0 };
}

/** Sizes within a hundredth of a unit count as equal, so rounding never decides. */
const SAME_SIZE = 0.01;

function isBetter(candidate: GridLayout, best: GridLayout): boolean {
  if (candidate.tileWidth > best.tileWidth + SAME_SIZE) return true;
  if (candidate.tileWidth < best.tileWidth - SAME_SIZE) return false;
  return candidate.rows < best.rows;
}

/** How many tiles go in each row, top to bottom: full rows first, the rest centred in the last. */
export function rowSizes(count: number, columns: number): number[] {
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= columns) sizes.push(Math.min(columns, left));
  return sizes;
}

/**
 * How many tiles a page of the grid takes in a `width` × `height` container: the most, up to
 * MAX_TILES, whose tiles are still MIN_TILE_WIDTH wide; never fewer than 2 (yourself and one
 * other). A container not laid out yet gets MAX_TILES, so nothing is paged away before it is.
 */
export function tilesPerPage(width: number, height: number, options: GridOptions = {}): number {
  if (!(width > 0 && height > 0) || !Number.isFinite(width) || !Number.isFinite(height)) return MAX_TILES;
  for (let count = MAX_TILES; count > 2; count--) {
    if (gridLayout(count, width, height, options).tileWidth >= MIN_TILE_WIDTH) return count;
  }
  return 2;
}
