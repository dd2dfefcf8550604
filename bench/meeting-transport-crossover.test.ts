import { describe, expect, it } from 'vitest';
import { readCrossover, sfuCheaper, type MemberCosts } from './meeting-transport-crossover';

const costs = (uploadKbps: number, rendererCores: number): MemberCosts => ({ uploadKbps: [uploadKbps, uploadKbps + 10, uploadKbps - 10], rendererCores: [rendererCores, rendererCores, rendererCores] });

describe('the meeting-transport crossover', () => {
  it('the SFU is cheaper only with less upload and no more CPU', () => {
    expect(sfuCheaper({ size: 4, mesh: costs(2000, 0.5), sfu: costs(700, 0.4) })).toBe(true);
    expect(sfuCheaper({ size: 4, mesh: costs(2000, 0.5), sfu: costs(700, 0.5) })).toBe(true);
    expect(sfuCheaper({ size: 4, mesh: costs(2000, 0.5), sfu: costs(700, 0.6) })).toBe(false);
    expect(sfuCheaper({ size: 4, mesh: costs(700, 0.5), sfu: costs(700, 0.4) })).toBe(false);
    expect(sfuCheaper({ size: 4, mesh: costs(2000, 0.5) })).toBeUndefined();
  });

  it('reads the smallest size where the SFU wins, and says what lies around it', () => {
    const crossover = readCrossover([
      { size: 8, mesh: costs(5000, 1), sfu: costs(700, 0.6) },
      { size: 3, mesh: costs(1400, 0.3), sfu: costs(700, 0.35) },
      { size: 5, mesh: costs(2800, 0.6), sfu: costs(700, 0.5) },
      { size: 6, mesh: costs(3500, 0.6), sfu: costs(700, 0.7) },
      { size: 4, sfu: costs(700, 0.4) },
    ]);
    expect(crossover).toEqual({ size: 5, meshCheaperBelow: [3], meshCheaperAbove: [6], meshMax: 4 });
  });

  it('finds none when the mesh is cheaper everywhere', () => {
    expect(readCrossover([{ size: 4, mesh: costs(1000, 0.2), sfu: costs(700, 0.3) }])).toEqual({ size: undefined, meshCheaperBelow: [4], meshCheaperAbove: [], meshMax: undefined });
  });
});
