/**
 * How the meeting-transport benchmark reads its crossover: the smallest size where the SFU costs
 * a member less upload and no more CPU than the mesh. Kept apart from the browsers so the rule
 * itself is tested (meeting-transport-crossover.test.ts).
 */
import { median } from './bench-stats';

/** What one transport cost the members at one size: one figure per member. */
export interface MemberCosts {
  uploadKbps: readonly number[];
  rendererCores: readonly number[];
}

export interface SizeCosts {
  size: number;
  mesh?: MemberCosts | undefined;
  sfu?: MemberCosts | undefined;
}

/** True when a member (median) uploads less through the SFU and spends no more CPU; undefined when a side is missing. */
export function sfuCheaper(row: SizeCosts): boolean | undefined {
  const { mesh, sfu } = row;
  if (mesh === undefined || sfu === undefined) return undefined;
  return median(sfu.uploadKbps) < median(mesh.uploadKbps) && median(sfu.rendererCores) <= median(mesh.rendererCores);
}

export interface Crossover {
  /** The smallest size measured where the SFU is cheaper; undefined when it never is. */
  size: number | undefined;
  /** Sizes measured below it (where the mesh was cheaper): none means the crossover may lie lower. */
  meshCheaperBelow: number[];
  /** Sizes above it where the mesh was cheaper again: the reading is noisy. */
  meshCheaperAbove: number[];
  /** The `--mesh-max` it reads as (a call for more people than that goes through the SFU). */
  meshMax: number | undefined;
}

export function readCrossover(rows: readonly SizeCosts[]): Crossover {
  const measured = rows.filter((row) => sfuCheaper(row) !== undefined).sort((a, b) => a.size - b.size);
  const first = measured.find((row) => sfuCheaper(row) === true);
  if (first === undefined) return { size: undefined, meshCheaperBelow: measured.map((row) => row.size), meshCheaperAbove: [], meshMax: undefined };
  return {
    size: first.size,
    meshCheaperBelow: measured.filter((row) => row.size < first.size).map((row) => row.size),
    meshCheaperAbove: measured.filter((row) => row.size > first.size && sfuCheaper(row) !== true).map((row) => row.size),
    meshMax: first.size - 1,
  };
}
