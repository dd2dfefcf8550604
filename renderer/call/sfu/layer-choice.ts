/*
 * Which simulcast layer of a member's video this receiver asks Janus for (docs/group-calls.md,
 * "VP8 simulcast with SFrame"). The publisher sends three layers (sfu-publisher.ts): Janus's
 * substream 0 is a quarter of the camera's width, 1 half, 2 the whole. Two inputs decide:
 *
 * - How large the tile is. The grid makes every tile on its page as large as the stage allows, so
 *   the number of tiles on the page (at most 9, docs/group-calls.md, "Pages") says their size: one
 *   or two tiles get the top layer, three or four (a 2 x 2 grid, about half the stage's width each)
 *   the middle one, five to nine (a third of its width or less) the lowest. A member not on the
 *   page gets none (paused at Janus); before the grid reports its page, everyone gets the middle
 *   layer.
 * - How this receiver copes. A sample (every few seconds, from getStats) that lost more than 5%
 *   of the member's video packets, or in which the video froze, counts as struggling; two in a
 *   row step that member one layer down, and five clean ones in a row step back up one. Janus
 *   itself drops to a lower layer at once when the one asked for stops arriving (its `fallback`).
 */

/** Janus's VideoRoom substream: 0 the lowest layer, 2 the top. */
export type Substream = 0 | 1 | 2;

/** What a member's video should be at Janus: a layer, or not sent at all. */
export type LayerWanted = Substream | 'paused';

/** One member's video between two getStats samples. */
export interface VideoSample {
  packetsReceived: number;
  packetsLost: number;
  freezes: number;
}

/** How far below its tile's layer a member is, and the streaks that move it. */
export interface Coping {
  stepDown: 0 | 1 | 2;
  struggling: number;
  clean: number;
}

export const COPING_WELL: Coping = { stepDown: 0, struggling: 0, clean: 0 };

/** Share of the sample's packets lost above which the receiver is struggling. */
export const LOSS_LIMIT = 0.05;
/** Struggling samples in a row that step a member down. */
export const STEP_DOWN_AFTER = 2;
/** Clean samples in a row that step a member back up. */
export const STEP_UP_AFTER = 5;

/** The layer a tile gets when the receiver copes: by how many tiles share the page. */
export function layerForTiles(tilesOnPage: number): Substream {
  if (tilesOnPage <= 2) return 2;
  if (tilesOnPage <= 4) return 1;
  return 0;
}

export function isStruggling(sample: VideoSample): boolean {
  const sent = sample.packetsReceived + sample.packetsLost;
  return sample.freezes > 0 || (sent > 0 && sample.packetsLost / sent > LOSS_LIMIT);
}

/** The coping state after one more sample. */
export function nextCoping(coping: Coping, sample: VideoSample): Coping {
  if (isStruggling(sample)) {
    const struggling = coping.struggling + 1;
    if (struggling < STEP_DOWN_AFTER) return { ...coping, struggling, clean: 0 };
    return { stepDown: coping.stepDown === 0 ? 1 : 2, struggling: 0, clean: 0 };
  }
  const clean = coping.clean + 1;
  if (clean < STEP_UP_AFTER) return { ...coping, struggling: 0, clean };
  return { stepDown: coping.stepDown === 2 ? 1 : 0, struggling: 0, clean: 0 };
}

/**
 * A member's layer. `visible` is the grid's current page; null before the grid said anything, when
 * every member counts as on it (a member is never paused for want of a report).
 */
export function chooseLayer(userId: string, visible: readonly string[] | null, coping: Coping): LayerWanted {
  if (visible !== null && !visible.includes(userId)) return 'paused';
  // Until the grid says, the middle layer: enough for the tiles of a small meeting, and cheap in a large one.
  const forTile = visible === null ? 1 : layerForTiles(visible.length);
  return SUBSTREAMS[Math.max(0, forTile - coping.stepDown)] ?? 0;
}

const SUBSTREAMS: readonly Substream[] = [0, 1, 2];
