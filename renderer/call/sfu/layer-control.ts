import { chooseLayer, COPING_WELL, nextCoping, type Coping, type LayerWanted } from './layer-choice';

interface Counters {
  userId: string;
  packetsReceived: number;
  packetsLost: number;
  freezes: number;
}

/**
 * The subscription's side of layer-choice.ts: turns each getStats sample of the subscription into
 * every member's wanted layer, keeping between samples each video slot's counters (to take the
 * difference) and each member's coping state.
 */
export class LayerControl {
  /** By mid: the counters of the last sample, and whose they were. */
  readonly #previous = new Map<string, Counters>();
  readonly #coping = new Map<string, Coping>();

  /**
   * `visible` is the grid's page as the engine last heard it (empty before the grid reports).
   * Members with no video slot yet are left out.
   */
  update(report: RTCStatsReport, memberOfMid: (mid: string) => string | null, visible: readonly string[]): Map<string, LayerWanted> {
    const seen = new Set<string>();
    const wanted = new Map<string, LayerWanted>();
    const page = visible.length === 0 ? null : visible;
    report.forEach((stat: { type?: string; kind?: string; mid?: string; packetsReceived?: number; packetsLost?: number; freezeCount?: number }) => {
      if (stat.type !== 'inbound-rtp' || stat.kind !== 'video' || typeof stat.mid !== 'string') return;
      const userId = memberOfMid(stat.mid);
      if (userId === null) return;
      seen.add(stat.mid);
      const now: Counters = { userId, packetsReceived: stat.packetsReceived ?? 0, packetsLost: stat.packetsLost ?? 0, freezes: stat.freezeCount ?? 0 };
      const before = this.#previous.get(stat.mid);
      this.#previous.set(stat.mid, now);
      let coping = this.#coping.get(userId) ?? COPING_WELL;
      if (before?.userId === userId) {
        coping = nextCoping(coping, {
          packetsReceived: Math.max(0, now.packetsReceived - before.packetsReceived),
          packetsLost: Math.max(0, now.packetsLost - before.packetsLost),
          freezes: Math.max(0, now.freezes - before.freezes),
        });
      }
      this.#coping.set(userId, coping);
      wanted.set(userId, chooseLayer(userId, page, coping));
    });
    for (const mid of [...this.#previous.keys()]) if (!seen.has(mid)) this.#previous.delete(mid);
    for (const userId of [...this.#coping.keys()]) if (!wanted.has(userId)) this.#coping.delete(userId);
    return wanted;
  }
}
