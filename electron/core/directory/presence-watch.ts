import { MAX_WATCHED_CONTACTS } from '../../../shared/ipc';
import { MAX_PRESENCE_IDS_PER_MESSAGE, MAX_PRESENCE_SUBSCRIPTIONS, PROTOCOL_VERSION, type ClientMessage } from '../../../shared/protocol';
import type { ContactBook } from '../contacts/contact-book';

export interface PresenceWatchOptions {
  book: ContactBook;
  /** Peers of the call history, most recent first. */
  historyPeers: () => readonly string[];
  /** The other side of the call under way, if any: the list is not on screen during a call. */
  callPeer?: () => string | undefined;
  send: (message: ClientMessage) => boolean;
}

/**
 * Which colleagues' presence this device follows (presence.subscribe, docs/protocol.md): the peer
 * of the call under way, the ones on screen, the verified ones, and the call history's, in that
 * order, at most
 * MAX_PRESENCE_SUBSCRIPTIONS. The server forgets a session's subscriptions with the session, so the
 * whole set goes again after every reconnect.
 */
export class PresenceWatch {
  private onScreen: readonly string[] = [];
  /** What the server holds for this session. */
  private readonly subscribed = new Set<string>();
  private online = false;

  constructor(private readonly options: PresenceWatchOptions) {}

  /** The renderer's rows and open contact. True when some contact's shown presence changed. */
  watch(userIds: readonly string[]): boolean {
    this.onScreen = userIds.slice(0, MAX_WATCHED_CONTACTS);
    return this.refresh();
  }

  connected(): void {
    this.online = true;
    this.subscribed.clear();
    this.refresh();
  }

  disconnected(): void {
    this.online = false;
    this.subscribed.clear();
  }

  /** Whether presence news about `userId` is for a contact still followed (a late one is dropped). */
  follows(userId: string): boolean {
    return this.subscribed.has(userId);
  }

  /** Brings the server's set in line with the wanted one. True when some contact's shown presence changed. */
  refresh(): boolean {
    if (!this.online) return false;
    const wanted = this.wanted();
    const remove = [...this.subscribed].filter((id) => !wanted.has(id));
    const add = [...wanted].filter((id) => !this.subscribed.has(id));
    // Removals go first, so the session never holds more than the server allows.
    for (let at = 0; at < remove.length; at += MAX_PRESENCE_IDS_PER_MESSAGE) {
      const chunk = remove.slice(at, at + MAX_PRESENCE_IDS_PER_MESSAGE);
      if (!this.options.send({ v: PROTOCOL_VERSION, type: 'presence.subscribe', add: [], remove: chunk })) return false;
      for (const id of chunk) this.subscribed.delete(id);
    }
    for (let at = 0; at < add.length; at += MAX_PRESENCE_IDS_PER_MESSAGE) {
      const chunk = add.slice(at, at + MAX_PRESENCE_IDS_PER_MESSAGE);
      if (!this.options.send({ v: PROTOCOL_VERSION, type: 'presence.subscribe', add: chunk, remove: [] })) break;
      for (const id of chunk) this.subscribed.add(id);
    }
    return this.options.book.forgetPresence(remove);
  }

  private wanted(): Set<string> {
    const { book } = this.options;
    const wanted = new Set<string>();
    const peer = this.options.callPeer?.();
    for (const source of [peer === undefined ? [] : [peer], this.onScreen, book.verifiedIds(), this.options.historyPeers()]) {
      for (const id of source) {
        if (wanted.size >= MAX_PRESENCE_SUBSCRIPTIONS) return wanted;
        if (book.has(id)) wanted.add(id);
      }
    }
    return wanted;
  }
}
