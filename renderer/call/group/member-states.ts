import type { GroupMemberState, GroupView, SealcallBridge } from '../../../shared/ipc';

/*
 * Each member's state (mute, camera, share, raised hand) as it last said, and this device's own,
 * sent to every member with `group.memberState` (docs/group-calls.md, "Member state"). The core
 * sends it MLS-encrypted through the server, so it reaches a member whether media goes through the
 * mesh or the SFU, and the server can neither read nor forge it.
 *
 * A refusal of `group.memberState` is taken quietly: a core without it built refuses plainly, and
 * the mesh still carries mute, camera and share on each pair's data channel. Only the raised hand
 * then stays on this device, which is no reason to interrupt the call with an error.
 */

export const QUIET_STATE: GroupMemberState = Object.freeze({ muted: false, cameraOff: false, sharing: false, handRaised: false });

function sameState(a: GroupMemberState, b: GroupMemberState): boolean {
  return a.muted === b.muted && a.cameraOff === b.cameraOff && a.sharing === b.sharing && a.handRaised === b.handRaised;
}

export interface MemberStatesDeps {
  groupId: string;
  selfId: string;
  bridge: Pick<SealcallBridge, 'invoke'>;
  /** Someone's state, or the order of raised hands, changed. */
  changed(): void;
  /** Defers a send to the end of the current turn, so changes made together go out as one. */
  defer?: (run: () => void) => void;
}

export class MemberStates {
  readonly #deps: MemberStatesDeps;
  /** The others' latest state, with the event number it came in (a replayed older one never wins). */
  readonly #latest = new Map<string, { state: GroupMemberState; seq: number }>();
  /** Who has a hand up, yourself included, with a number that rises in the order hands went up. */
  readonly #hands = new Map<string, number>();
  #handCount = 0;
  #members = new Set<string>();
  #active = false;
  #own: GroupMemberState | null = null;
  /** What the members last got from this device; null when they must be told again (someone joined). */
  #told: GroupMemberState | null = null;
  #sending = false;
  #scheduled = false;
  #closed = false;

  constructor(deps: MemberStatesDeps) {
    this.#deps = deps;
  }

  get groupId(): string {
    return this.#deps.groupId;
  }

  /** The others' states as they last said; a member not here has said nothing yet. */
  get states(): ReadonlyMap<string, GroupMemberState> {
    return new Map([...this.#latest].map(([userId, { state }]) => [userId, state]));
  }

  /** One member's state as they last said, or undefined before they have. */
  stateOf(userId: string): GroupMemberState | undefined {
    return this.#latest.get(userId)?.state;
  }

  /** Raised hands, yourself included: user id to a number that rises in the order they went up. */
  get hands(): ReadonlyMap<string, number> {
    return new Map(this.#hands);
  }

  /** One member's state, as the core authenticated it (its `member` event, in the controller's order). Your own echo is ignored. */
  receive(userId: string, state: GroupMemberState, seq: number): void {
    if (this.#closed || userId === this.#deps.selfId) return;
    const before = this.#latest.get(userId);
    if (before !== undefined && before.seq >= seq) return;
    this.#latest.set(userId, { state: { ...state }, seq });
    const handChanged = this.#hand(userId, state.handRaised);
    if (before === undefined || !sameState(before.state, state) || handChanged) this.#deps.changed();
  }

  /** This device's own state; sent to everyone once the call is active and whenever it changes. */
  setOwn(state: GroupMemberState): void {
    if (this.#closed) return;
    const handChanged = this.#hand(this.#deps.selfId, state.handRaised);
    if (this.#own === null || !sameState(this.#own, state)) {
      this.#own = { ...state };
      this.#schedule();
    }
    if (handChanged) this.#deps.changed();
  }

  /** The core's view: those who joined are told this device's state; those gone are forgotten. */
  updateView(view: GroupView): void {
    if (this.#closed || view.groupId !== this.#deps.groupId) return;
    const members = new Set(view.members.map((member) => member.userId));
    const joined = [...members].some((userId) => userId !== this.#deps.selfId && !this.#members.has(userId));
    let forgot = false;
    // Someone who left is forgotten, so that they come back with a hand down. Only from an active
    // view: a state may come in just before the view that has its member.
    if (view.state === 'active') {
      for (const userId of new Set([...this.#latest.keys(), ...this.#hands.keys()])) {
        if (members.has(userId) || userId === this.#deps.selfId) continue;
        this.#latest.delete(userId);
        this.#hands.delete(userId);
        forgot = true;
      }
    }
    this.#members = members;
    this.#active = view.state === 'active';
    if (joined) this.#told = null;
    if (forgot) this.#deps.changed();
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
  }

  /** Keeps the order hands went up: a hand that goes up again goes to the back. Returns whether it changed. */
  #hand(userId: string, raised: boolean): boolean {
    if (raised === this.#hands.has(userId)) return false;
    if (raised) this.#hands.set(userId, (this.#handCount += 1));
    else this.#hands.delete(userId);
    return true;
  }

  #schedule(): void {
    if (this.#scheduled || this.#sending || !this.#due()) return;
    this.#scheduled = true;
    (this.#deps.defer ?? queueMicrotask)(() => {
      this.#scheduled = false;
      this.#send();
    });
  }

  #due(): boolean {
    return !this.#closed && this.#active && this.#own !== null && (this.#told === null || !sameState(this.#told, this.#own));
  }

  /** One request at a time: a change made while one is out goes in the next, with the latest state. */
  #send(): void {
    const state = this.#own;
    if (this.#sending || !this.#due() || state === null) return;
    this.#sending = true;
    this.#told = state;
    this.#deps.bridge
      .invoke('group.memberState', { groupId: this.#deps.groupId, state })
      .catch(() => {
        // Refused (not built in this core, the call just ended): quietly, see the top of this file.
        // Not sent again until the state changes or someone joins, so a refusing core is asked rarely.
      })
      .finally(() => {
        this.#sending = false;
        this.#schedule();
      });
  }
}
