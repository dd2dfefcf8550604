/**
 * What the group-call manager tells the app, one ordered stream per group (`seq` counts from 1 per
 * group, like the 1:1 `call.event`): the call as the screen shows it, each epoch's media keys, and
 * refusals, and the members' checked signalling. Media keys only, nothing of MLS itself (docs/group-calls.md).
 */
import type { GroupMedia } from '../../../shared/crypto/group-invite';
import type { GroupMemberState, GroupSeat, GroupTransport } from '../../../shared/ipc';
import type { SignalData } from '../../../shared/protocol';
import type { GroupErrorCode } from './group-error';

export type GroupCallState = 'incoming' | 'joining' | 'active' | 'ended';

export type GroupEndReason =
  /** This device left, or declined the ring. */
  | 'left'
  /** The owner ended the call (or, for the owner, ended it here). */
  | 'ended'
  /** The owner took this device out (or a commit removed it). */
  | 'removed'
  /** The owner dropped this device from the invite list before it joined. */
  | 'uninvited'
  /** Nobody was left in it. */
  | 'empty'
  /** The server refused a step (create, join) for good. */
  | 'refused'
  /** The group showed a member or commit the pins or the invites do not allow: this device left. */
  | 'member-refused'
  /** Joined, but nobody added this device to the MLS group in time: it left. */
  | 'timeout'
  /** Its link was down longer than the server's grace: the group went on without it. */
  | 'disconnected';

export interface GroupCallMember {
  readonly userId: string;
  /** The MLS leaf index (the SFrame sender index); null while the member is not yet in the MLS group. */
  readonly index: number | null;
}

export interface GroupCallView {
  readonly groupId: string;
  readonly owner: string;
  /** True on the owner's device. */
  readonly outgoing: boolean;
  readonly media: GroupMedia;
  readonly state: GroupCallState;
  /** Everyone the owner's signed invites name, the owner excluded. */
  readonly invitees: readonly string[];
  /** Who is in the call as the server says, with their leaf once the MLS group has them. */
  readonly members: readonly GroupCallMember[];
  /** Invitees the server could not ring (offline, or an app without group calls). */
  readonly unavailable: readonly string[];
  readonly declined: readonly string[];
  /** The owner, invitees and members whose key changed and is not confirmed on this device. */
  readonly keyChanged: readonly string[];
  /** The MLS epoch this device is at; null before it has one. */
  readonly epoch: number | null;
  /** The epoch's group security code (four groups of five digits); null before the first epoch. */
  readonly securityCode: string | null;
  readonly endReason: GroupEndReason | null;
  /** The 1:1 call this group continues (docs/group-calls.md, "Adding people to a 1:1 call"), or null. */
  readonly upgradeOf: string | null;
  /** Invitees whose app declined the ring because they were in another call. */
  readonly busy: readonly string[];
  /** How the media travels, as the server last said (docs/protocol.md, "Meetings over the SFU"). */
  readonly transport: GroupTransport;
}

/** One epoch's media keys for the frame-crypto worker; it owns (and zeroes) `baseKey`. */
export interface GroupMediaKeys {
  readonly epoch: number;
  readonly ownIndex: number;
  readonly baseKey: Uint8Array;
  readonly senders: readonly { readonly index: number; readonly userId: string }[];
}

export type GroupCallEvent =
  | { readonly kind: 'view'; readonly groupId: string; readonly seq: number; readonly view: GroupCallView }
  | { readonly kind: 'keys'; readonly groupId: string; readonly seq: number; readonly keys: GroupMediaKeys }
  /**
   * Something of the group was refused here: a ring whose invite does not verify (`from` the
   * claimed owner), a member whose KeyPackage is not under the pinned key (`userId`), a commit the
   * pins or invites do not allow.
   */
  | {
      readonly kind: 'refused';
      readonly groupId: string;
      readonly seq: number;
      readonly code: GroupErrorCode;
      readonly message: string;
      readonly userId?: string;
    }
  /** A member's pairwise signalling for our page, after its SDP was held to the pair's binding. */
  | { readonly kind: 'signal'; readonly groupId: string; readonly seq: number; readonly from: string; readonly data: SignalData }
  /** A (fresh) seat in the call's SFU room. */
  | { readonly kind: 'seat'; readonly groupId: string; readonly seq: number; readonly seat: GroupSeat }
  /** A member's state, as MLS authenticated it. */
  | { readonly kind: 'member'; readonly groupId: string; readonly seq: number; readonly userId: string; readonly state: GroupMemberState };
