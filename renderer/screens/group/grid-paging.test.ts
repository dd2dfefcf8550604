import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridPage, nextRecentSpeakers, type PagedMember } from './grid-paging';

function people(count: number): PagedMember[] {
  return [{ userId: 'me', self: true }, ...Array.from({ length: count - 1 }, (_, index) => ({ userId: `u${String(index + 1).padStart(2, '0')}`, self: false }))];
}

const ids = (page: { tiles: PagedMember[] }) => page.tiles.map((member) => member.userId);

describe('gridPage', () => {
  it('shows 50 people 9 at a time: you on every page, 8 others each, 7 pages', () => {
    const all = people(50);
    const first = gridPage(all, [], 9, 0);
    expect(first.pageCount).toBe(7);
    expect(ids(first)).toEqual(['me', 'u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08']);
    const second = gridPage(all, [], 9, 1);
    expect(ids(second)).toEqual(['me', 'u09', 'u10', 'u11', 'u12', 'u13', 'u14', 'u15', 'u16']);
    const last = gridPage(all, [], 9, 6);
    expect(ids(last)).toEqual(['me', 'u49']);
  });

  it('puts the recent speakers on page 1, in list order, the longest-ago speaker first to go', () => {
    const all = people(50);
    const page = gridPage(all, ['u40', 'u30', 'u02'], 9, 0);
    expect(ids(page)).toEqual(['me', 'u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u30', 'u40']);
    // Page 2 starts where page 1's list order left off, without those who moved up.
    expect(ids(gridPage(all, ['u40', 'u30', 'u02'], 9, 1)).slice(0, 3)).toEqual(['me', 'u07', 'u08']);
    // With 3 tiles a page (2 others), only the 2 most recent speakers make page 1.
    expect(ids(gridPage(all, ['u40', 'u30', 'u02'], 3, 0))).toEqual(['me', 'u30', 'u40']);
  });

  it('clamps a page past the end (people left) and a nonsense page', () => {
    expect(gridPage(people(12), [], 9, 5).page).toBe(1);
    expect(gridPage(people(5), [], 9, 3).page).toBe(0);
    expect(gridPage(people(5), [], 9, Number.NaN).page).toBe(0);
    expect(gridPage(people(5), [], 9, -2).page).toBe(0);
  });

  it('ignores a recent speaker who left', () => {
    expect(ids(gridPage(people(3), ['gone', 'u02'], 9, 0))).toEqual(['me', 'u01', 'u02']);
  });

  it('shows everyone exactly once across the pages, you on each, never over the page size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 2, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 10 }),
        (count, perPage, spoke) => {
          const all = people(count);
          const recent = spoke.map((n) => `u${String(n).padStart(2, '0')}`);
          const { pageCount } = gridPage(all, recent, perPage, 0);
          const seen: string[] = [];
          for (let page = 0; page < pageCount; page++) {
            const shown = gridPage(all, recent, perPage, page);
            expect(shown.tiles.length).toBeLessThanOrEqual(perPage);
            expect(shown.tiles[0]?.userId).toBe('me');
            if (page < pageCount - 1 || count === 1) expect(shown.tiles.length).toBe(Math.min(perPage, count));
            seen.push(...ids(shown).slice(1));
          }
          expect(seen.sort()).toEqual(all.filter((member) => !member.self).map((member) => member.userId));
        },
      ),
    );
  });
});

describe('nextRecentSpeakers', () => {
  it('moves the speaker to the front, keeps a few, and changes nothing for silence', () => {
    let recent: readonly string[] = [];
    recent = nextRecentSpeakers(recent, 'a', 3);
    recent = nextRecentSpeakers(recent, 'b', 3);
    recent = nextRecentSpeakers(recent, 'c', 3);
    recent = nextRecentSpeakers(recent, 'a', 3);
    expect(recent).toEqual(['a', 'c', 'b']);
    recent = nextRecentSpeakers(recent, 'd', 3);
    expect(recent).toEqual(['d', 'a', 'c']);
    expect(nextRecentSpeakers(recent, null, 3)).toBe(recent);
    expect(nextRecentSpeakers(recent, 'd', 3)).toBe(recent);
  });
});
