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
  /** By member: the layer last asked for. */
  readonly #asked = new Map<string, LayerWanted>();
  /**
   * Members whose layer was just changed (or first asked for). Their next sample is not scored:
   * Janus holds the new layer until its next key frame, and Chromium counts that wait as a freeze,
   * so a switch would otherwise read as struggling and step the member down by itself.
   */
  readonly #settling = new Set<string>();

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
      if (before?.userId === userId && !this.#settling.has(userId)) {
        coping = nextCoping(coping, {
          packetsReceived: Math.max(0, now.packetsReceived - before.packetsReceived),
          packetsLost: Math.max(0, now.packetsLost - before.packetsLost),
          freezes: Math.max(0, now.freezes - before.freezes),
        });
      }
      this.#coping.set(userId, coping);
      const layer = chooseLayer(userId, page, coping);
      if (this.#asked.get(userId) === layer) this.#settling.delete(userId);
      else this.#settling.add(userId);
      this.#asked.set(userId, layer);
      wanted.set(userId, layer);
    });
    for (const mid of [...this.#previous.keys()]) if (!seen.has(mid)) this.#previous.delete(mid);
    for (const userId of [...this.#coping.keys()]) {
      if (wanted.has(userId)) continue;
      this.#coping.delete(userId);
      this.#asked.delete(userId);
      this.#settling.delete(userId);
    }
    return wanted;
  }
}
