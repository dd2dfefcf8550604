import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridLayout, MAX_TILES, MIN_TILE_WIDTH, rowSizes, tilesPerPage } from './grid-layout';

const shape = (count: number, width: number, height: number, gap = 0) => {
  const { columns, rows } = gridLayout(count, width, height, { gap });
  return `${columns}x${rows}`;
};

describe('gridLayout', () => {
  it('fills a 16:9 stage with one 16:9 tile', () => {
    expect(gridLayout(1, 1600, 900)).toEqual({ columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
  });

  it('puts two people side by side in a wide stage and stacks them in a tall one', () => {
    expect(shape(2, 1600, 900)).toBe('2x1');
    expect(shape(2, 900, 1600)).toBe('1x2');
  });

  it('picks the shapes people know from a 16:9 stage', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((count) => shape(count, 1600, 900))).toEqual([
      '1x1',
      '2x1',
      '2x2',
      '2x2',
      '3x2',
      '3x2',
      '3x3',
      '3x3',
      '3x3',
    ]);
  });

  it('spreads wide in a letterbox stage', () => {
    expect(shape(8, 3200, 600)).toBe('4x2');
    expect(shape(3, 3200, 600)).toBe('3x1');
  });

  it('takes the gap out of the space the tiles share', () => {
    const layout = gridLayout(4, 1600, 900, { gap: 10 });
    expect(layout.columns).toBe(2);
    // Height-bound: (900 - 10) / 2 = 445 high, 445 × 16/9 wide.
    expect(layout.tileHeight).toBeCloseTo(445);
    expect(layout.tileWidth).toBeCloseTo((445 * 16) / 9);
  });

  it('honours another tile aspect', () => {
    // Square tiles in a 2:1 stage: two side by side fill it exactly.
    expect(gridLayout(2, 1000, 500, { aspect: 1 })).toEqual({ columns: 2, rows: 1, tileWidth: 500, tileHeight: 500 });
  });

  it('gives a container not laid out yet a shape and no size', () => {
    expect(gridLayout(4, 0, 0)).toEqual({ columns: 2, rows: 2, tileWidth: 0, tileHeight: 0 });
  });

  it('refuses counts outside 1 to 9 and nonsense options', () => {
    expect(() => gridLayout(0, 100, 100)).toThrow(RangeError);
    expect(() => gridLayout(MAX_TILES + 1, 100, 100)).toThrow(RangeError);
    expect(() => gridLayout(2.5, 100, 100)).toThrow(RangeError);
    expect(() => gridLayout(2, 100, 100, { aspect: 0 })).toThrow(RangeError);
    expect(() => gridLayout(2, 100, 100, { aspect: Number.NaN })).toThrow(RangeError);
    expect(() => gridLayout(2, 100, 100, { gap: -1 })).toThrow(RangeError);
  });

  it('always fits, never leaves a row empty, and no other shape gives bigger tiles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_TILES }),
        fc.integer({ min: 50, max: 4000 }),
        fc.integer({ min: 50, max: 4000 }),
        fc.integer({ min: 0, max: 16 }),
        (count, width, height, gap) => {
          const layout = gridLayout(count, width, height, { gap });
          expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(count);
          expect((layout.rows - 1) * layout.columns).toBeLessThan(count);
          expect(layout.columns * layout.tileWidth + (layout.columns - 1) * gap).toBeLessThanOrEqual(width + 1e-6);
          expect(layout.rows * layout.tileHeight + (layout.rows - 1) * gap).toBeLessThanOrEqual(height + 1e-6);
          expect(layout.tileWidth / layout.tileHeight).toBeCloseTo(16 / 9);
          // Brute force over every other column count, rows as few as they can be.
          for (let columns = 1; columns <= count; columns++) {
            const rows = Math.ceil(count / columns);
            const cellWidth = Math.max(0, (width - (columns - 1) * gap) / columns);
            const cellHeight = Math.max(0, (height - (rows - 1) * gap) / rows);
            expect(Math.min(cellWidth, (cellHeight * 16) / 9)).toBeLessThanOrEqual(layout.tileWidth + 0.01);
          }
        },
      ),
    );
  });
});

describe('rowSizes', () => {
  it('fills rows first and leaves the remainder for the last', () => {
    expect(rowSizes(5, 3)).toEqual([3, 2]);
    expect(rowSizes(7, 3)).toEqual([3, 3, 1]);
    expect(rowSizes(4, 2)).toEqual([2, 2]);
    expect(rowSizes(1, 1)).toEqual([1]);
  });
});

describe('tilesPerPage', () => {
  it('takes 9 tiles in a roomy stage and fewer in a small window, never under 2', () => {
    expect(tilesPerPage(1600, 900, { gap: 8 })).toBe(9);
    // The app's default window leaves about 760 × 560 for the grid: 3 × 3 would be 245 wide.
    expect(tilesPerPage(760, 560, { gap: 8 })).toBe(9);
    expect(tilesPerPage(500, 400, { gap: 8 })).toBe(6);
    expect(tilesPerPage(300, 200, { gap: 8 })).toBe(2);
  });

  it('pages nothing away before the stage is laid out', () => {
    expect(tilesPerPage(0, 0)).toBe(MAX_TILES);
  });

  it('never gives a tile under the minimum width when more than 2 are shown', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 4000 }), fc.integer({ min: 50, max: 4000 }), (width, height) => {
        const count = tilesPerPage(width, height, { gap: 8 });
        expect(count).toBeGreaterThanOrEqual(2);
        expect(count).toBeLessThanOrEqual(MAX_TILES);
        if (count > 2) expect(gridLayout(count, width, height, { gap: 8 }).tileWidth).toBeGreaterThanOrEqual(MIN_TILE_WIDTH);
        if (count < MAX_TILES) expect(gridLayout(count + 1, width, height, { gap: 8 }).tileWidth).toBeLessThan(MIN_TILE_WIDTH);
      }),
    );
  });
});
