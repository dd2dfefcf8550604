import { MAX_GROUP_SENDERS, type GroupSender, type SenderReport } from './frame-crypto-messages';

/**
 * The per-sender counts of a group call's report, by leaf index. Each epoch's member list adds
 * the members not seen yet; a member that left keeps its counts while there is room (so a report
 * still shows what it sent before), and gives way to the current members once the list is full.
 * A leaf index that MLS gives to someone else starts a fresh entry.
 */
export class SenderCounts {
  readonly #byIndex = new Map<number, SenderReport>();
  /** The report's list: the same objects as the map, so a count is one increment. */
  readonly list: SenderReport[] = [];

  /** The members of a new epoch, this member excluded. */
  update(senders: readonly GroupSender[], ownIndex: number): void {
    const current = new Set<number>();
    for (const { index, userId } of senders) {
      if (index === ownIndex) continue;
      current.add(index);
      const known = this.#byIndex.get(index);
      if (known !== undefined && known.userId === userId) continue;
      this.#byIndex.set(index, { index, userId, decrypted: { audio: 0, video: 0 }, failed: { audio: 0, video: 0 } });
    }
    for (const index of [...this.#byIndex.keys()]) {
      if (this.#byIndex.size <= MAX_GROUP_SENDERS) break;
      if (!current.has(index)) this.#byIndex.delete(index);
    }
    this.list.splice(0, this.list.length, ...[...this.#byIndex.values()].sort((a, b) => a.index - b.index));
  }

  /** The entry of a sender index, if the report lists it. */
  entry(index: number): SenderReport | undefined {
    return this.#byIndex.get(index);
  }
}
