import type { ServerMessage } from '../../shared/protocol';
import type { GroupCallStore } from '../store/store';
import type { GroupRegistry } from './group-desk';
import { parseGroupDoc, type GroupDoc } from './group-doc';
import {
  MAX_MISSED_MESSAGES,
  create,
  decline,
  dropAway,
  join,
  mayFetch,
  memberRequest,
  ringPending,
  userGone,
  type Context,
  type Decision,
  type GroupMessage,
  type GroupRefusal,
} from './group-rules';

/*
 * Group calls on one server instance: the rules of group-rules.ts (docs/protocol.md, "Group calls")
 * applied to documents in memory. Requests are handled one at a time on the event loop, so each is
 * decided on the group as it is and applied at once. Each change is also written to the store, so
 * that a restarted server goes on relaying the calls whose media kept flowing peer to peer.
 */

export interface GroupPorts {
  /** Sends to a user's live session; false if they have none. */
  deliver(userId: string, message: ServerMessage): boolean;
  /** Enrolled and not revoked. */
  isKnown(userId: string): boolean;
  /** Connected with an app that published KeyPackages on this session: it speaks group calls. */
  canRing(userId: string): boolean;
  /** A user entered or left a group: their presence (busy) may have changed. */
  busyChanged(userId: string): void;
  /** The store could not keep a group's change, or give back the groups it kept. */
  storeFailed(error: unknown): void;
  /** Members left a group (`members` is who is still in), or it ended (`members` null): the SFU room follows. */
  membershipChanged?(groupId: string, left: readonly string[], members: readonly string[] | null): void;
}

/** A member whose session dropped: the end of its grace, and what it missed meanwhile. */
interface Absence {
  groupId: string;
  timer: NodeJS.Timeout | undefined;
  missed: ServerMessage[];
}

type Decide = (doc: GroupDoc | undefined, context: Context) => Decision;

export class GroupRelay implements GroupRegistry {
  private readonly groups = new Map<string, GroupDoc>();
  /** The one group each user is a member of. */
  private readonly groupOf = new Map<string, string>();
  private readonly absences = new Map<string, Absence>();

  /**
   * @param graceMs how long a member whose socket dropped stays in the group (as a 1:1 call's
   *   party does): the media is peer to peer and may well still flow.
   */
  /**
   * @param sfu this server hands out SFU seats: calls for more than `meshMax` people go through it.
   */
  constructor(
    private readonly ports: GroupPorts,
    private readonly graceMs: number,
    private readonly store?: GroupCallStore,
    private readonly sfu?: { meshMax: number },
  ) {
    if (store) this.restore(store);
  }

  get activeGroups(): number {
    return this.groups.size;
  }

  isInGroup(userId: string): boolean {
    return this.groupOf.has(userId);
  }

  /** A member of the group whose session is here (not away in its grace). */
  isPresent(groupId: string, userId: string): boolean {
    const doc = this.groups.get(groupId);
    return doc !== undefined && doc.members.includes(userId) && doc.away[userId] === undefined;
  }

  mayFetch(from: string, groupId: string, users: readonly string[]): GroupRefusal | undefined {
    return this.run(groupId, from, (doc) => mayFetch(from, groupId, users, doc));
  }

  handle(from: string, message: Exclude<GroupMessage, { type: 'keys.fetch' }>): GroupRefusal | undefined {
    const { groupId } = message;
    switch (message.type) {
      case 'group.create':
        return this.run(groupId, from, (doc, context) => create(from, message, doc, context));
      case 'group.join':
        return this.run(groupId, from, (doc, context) => join(from, groupId, doc, context, message.rejoin === true));
      case 'group.decline':
        return this.run(groupId, from, (doc) => decline(from, groupId, doc, message.reason));
      default:
        return this.run(groupId, from, (doc, context) => memberRequest(from, message, doc, context));
    }
  }

  /** A user's session is gone: a member is kept for the grace period, unless revoked. */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void {
    const groupId = this.groupOf.get(userId);
    if (groupId !== undefined) this.run(groupId, undefined, (doc, context) => userGone(groupId, userId, reason, doc, context));
  }

  /** A session that just became able to take group calls is rung for the groups waiting for it. */
  ringPending(userId: string): void {
    for (const groupId of [...this.groups.keys()]) this.run(groupId, undefined, (doc) => ringPending(userId, groupId, doc));
  }

  stop(): void {
    for (const absence of this.absences.values()) clearTimeout(absence.timer);
    this.absences.clear();
    this.groups.clear();
    this.groupOf.clear();
  }

  /**
   * The calls that were running when the server stopped. Every member starts away, with a full
   * grace to come back in: one whose app rejoins is in again (it gets the group's members and
   * epoch); one that does not is dropped as if its socket had just closed.
   */
  private restore(store: GroupCallStore): void {
    let saved: { groupId: string; doc: string }[];
    try {
      saved = store.load();
    } catch (error) {
      this.ports.storeFailed(error);
      return;
    }
    const until = Date.now() + this.graceMs;
    for (const { groupId, doc: text } of saved) {
      let doc: GroupDoc;
      try {
        doc = parseGroupDoc(text);
      } catch (error) {
        this.ports.storeFailed(error);
        this.persist(groupId, null);
        continue;
      }
      doc.away = Object.fromEntries(doc.members.map((member) => [member, until]));
      this.groups.set(groupId, doc);
      // No presence to change: nobody is connected yet.
      for (const member of doc.members) this.groupOf.set(member, groupId);
      this.startGraces(groupId, undefined, doc);
    }
  }

  private run(groupId: string, from: string | undefined, decide: Decide): GroupRefusal | undefined {
    const doc = this.groups.get(groupId);
    const decision = decide(doc, this.context(from, groupId, doc));
    if (decision.leaveFirst === undefined || from === undefined) {
      this.apply(groupId, doc, decision);
      return decision.refusal;
    }
    // The group the sender was dropped from is over for it; then the request is decided again,
    // once: dropAway always takes an away member out, so the second decision has nothing to leave.
    const left = decision.leaveFirst;
    this.run(left, undefined, (other) => dropAway(left, from, other, undefined));
    const again = this.groups.get(groupId);
    const second = decide(again, this.context(from, groupId, again));
    if (second.leaveFirst !== undefined) throw new Error(`group ${left} kept '${from}' after dropping them`);
    this.apply(groupId, again, second);
    return second.refusal;
  }

  private context(from: string | undefined, groupId: string, doc: GroupDoc | undefined): Context {
    const context: Context = { now: Date.now(), graceMs: this.graceMs, isKnown: (userId) => this.ports.isKnown(userId), groupOfSender: undefined, ...(this.sfu ? { sfu: this.sfu } : {}) };
    const held = from === undefined ? undefined : this.groupOf.get(from);
    if (from !== undefined && held !== undefined) {
      const heldDoc = held === groupId ? doc : this.groups.get(held);
      context.groupOfSender = { groupId: held, away: heldDoc?.away[from] !== undefined };
    }
    return context;
  }

  private apply(groupId: string, before: GroupDoc | undefined, decision: Decision): void {
    if (decision.next === null) this.groups.delete(groupId);
    else if (decision.next !== undefined) this.groups.set(groupId, decision.next);
    const after = this.groups.get(groupId);
    if (decision.next !== undefined) {
      this.track(groupId, before, after);
      this.persist(groupId, after ?? null);
    }
    const rung: string[] = [];
    const unavailable: string[] = [];
    const overflowed: string[] = [];
    for (const send of decision.sends) {
      switch (send.mode) {
        case 'now':
          this.ports.deliver(send.to, send.message);
          break;
        case 'member':
          if (!this.toMember(after, send.to, send.message)) overflowed.push(send.to);
          break;
        case 'missed':
          this.flush(send.to);
          break;
        case 'ring':
          (this.ports.canRing(send.to) && this.ports.deliver(send.to, send.message) ? rung : unavailable).push(send.to);
          break;
        case 'rung':
          this.ports.deliver(send.to, { ...send.message, rung, unavailable });
          break;
      }
    }
    this.forgetReturned(groupId, before, after);
    // It could not catch up anyway: out of the group, as when its grace runs out.
    for (const user of overflowed) this.run(groupId, undefined, (doc) => dropAway(groupId, user, doc, undefined));
  }

  /** Keeps who-is-in-which-group and the grace timers in step with a group's new document. */
  private track(groupId: string, before: GroupDoc | undefined, after: GroupDoc | undefined): void {
    const was = new Set(before?.members ?? []);
    const is = new Set(after?.members ?? []);
    const left: string[] = [];
    for (const user of was) {
      if (is.has(user)) continue;
      left.push(user);
      if (this.groupOf.get(user) === groupId) this.groupOf.delete(user);
      this.ports.busyChanged(user);
    }
    if (before !== undefined && (after === undefined || left.length > 0)) this.ports.membershipChanged?.(groupId, left, after?.members ?? null);
    for (const user of is) {
      if (was.has(user)) continue;
      this.groupOf.set(user, groupId);
      this.ports.busyChanged(user);
    }
    this.startGraces(groupId, before, after);
    for (const user of Object.keys(before?.away ?? {})) {
      const absence = this.absences.get(user);
      if (after?.away[user] === undefined && absence?.groupId === groupId) {
        clearTimeout(absence.timer);
        absence.timer = undefined;
      }
    }
  }

  /** A grace timer for each member newly away. */
  private startGraces(groupId: string, before: GroupDoc | undefined, after: GroupDoc | undefined): void {
    for (const [user, until] of Object.entries(after?.away ?? {})) {
      if (before?.away[user] === until) continue;
      clearTimeout(this.absences.get(user)?.timer);
      const timer = setTimeout(() => {
        this.run(groupId, undefined, (doc) => dropAway(groupId, user, doc, undefined));
      }, Math.max(0, until - Date.now()));
      this.absences.set(user, { groupId, timer, missed: [] });
    }
  }

  /** A failed write is reported, not thrown: the call goes on, only a restart would forget it. */
  private persist(groupId: string, doc: GroupDoc | null): void {
    if (!this.store) return;
    try {
      this.store.save(groupId, doc === null ? null : JSON.stringify(doc));
    } catch (error) {
      this.ports.storeFailed(error);
    }
  }

  /** Delivers now, or keeps it for a member that is away; false if it missed too much already. */
  private toMember(doc: GroupDoc | undefined, userId: string, message: ServerMessage): boolean {
    const absence = this.absences.get(userId);
    if (doc?.away[userId] === undefined || absence === undefined) {
      this.ports.deliver(userId, message);
      return true;
    }
    if (absence.missed.length >= MAX_MISSED_MESSAGES) return false;
    absence.missed.push(message);
    return true;
  }

  /** A member that was away is back: what it missed, in order. */
  private flush(userId: string): void {
    const absence = this.absences.get(userId);
    if (!absence) return;
    const missed = absence.missed.splice(0);
    for (const message of missed) this.ports.deliver(userId, message);
  }

  /** Members no longer away (back, or out of the group) have no absence to keep. */
  private forgetReturned(groupId: string, before: GroupDoc | undefined, after: GroupDoc | undefined): void {
    for (const user of Object.keys(before?.away ?? {})) {
      const absence = this.absences.get(user);
      if (absence?.groupId === groupId && after?.away[user] === undefined) {
        clearTimeout(absence.timer);
        this.absences.delete(user);
      }
    }
  }
}
