/**
 * Who may be in one group call: the owner and every invitee of a valid signed invite of the group
 * (docs/group-calls.md). Each list is checked on its own under the owner's pinned key, so a member
 * accepts an Add only for a user the owner really invited.
 */
import { verifyGroupInvite, type GroupInvite } from '../../../shared/crypto/group-invite';
import { GroupError } from './group-error';
import type { PinnedKeyLookup } from './member-binding';

export interface SignedGroupInvite {
  readonly invite: GroupInvite;
  readonly signature: Uint8Array;
}

export class InviteBook {
  readonly #groupId: string;
  readonly #owner: string;
  readonly #pinnedKey: PinnedKeyLookup;
  readonly #allowed = new Set<string>();

  constructor(groupId: string, owner: string, pinnedKey: PinnedKeyLookup) {
    this.#groupId = groupId;
    this.#owner = owner;
    this.#pinnedKey = pinnedKey;
    this.#allowed.add(owner);
  }

  get owner(): string {
    return this.#owner;
  }

  /** Adds the invitees of a signed invite, once it verifies under the owner's pinned key. */
  async accept(signed: SignedGroupInvite): Promise<void> {
    const { invite, signature } = signed;
    if (invite.groupId !== this.#groupId || invite.owner !== this.#owner) {
      throw new GroupError('bad-invite', `the invite is for another group or from another owner than ${this.#owner}`);
    }
    const ownerKey = await this.#pinnedKey(this.#owner);
    if (ownerKey === null) throw new GroupError('unknown-member', `${this.#owner} has no verified identity key on this device`);
    if (!(signature instanceof Uint8Array) || !(await verifyGroupInvite(ownerKey, invite, signature))) {
      throw new GroupError('bad-invite', `the invite does not carry ${this.#owner}'s signature`);
    }
    for (const userId of invite.invitees) this.#allowed.add(userId);
  }

  allows(userId: string): boolean {
    return this.#allowed.has(userId);
  }
}
