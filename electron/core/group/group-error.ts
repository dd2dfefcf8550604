/**
 * Why a group call's key layer refused something. Each code names what the caller does next:
 * 'stale-epoch' means process the newer commit and retry; the member codes mean leave the group
 * and tell the user who was refused; the rest drop the one message.
 */
export type GroupErrorCode =
  /** A leaf's signature key is not the identity key pinned for its user id. */
  | 'member-key-mismatch'
  /** A leaf names a user with no pinned key (unknown, or behind the key-change gate). */
  | 'unknown-member'
  /** An Add, or a member of a Welcome, for a user no valid signed invite of the group names. */
  | 'not-invited'
  | 'bad-invite'
  /** A commit for another epoch than the group's current one. */
  | 'stale-epoch'
  /** Not a well-formed MLS message of the expected kind, or one that does not verify. */
  | 'bad-message'
  /** A commit with proposals a group call never makes (PSK, ReInit, external, extensions). */
  | 'unsupported-proposal'
  /** A Welcome none of our KeyPackages opens. */
  | 'no-key-package'
  | 'wrong-group'
  /** This member was removed, or the session was wiped: it holds no key any more. */
  | 'not-member'
  /** No group call with that id is live (or ringing) on this device. */
  | 'no-such-group'
  /**
   * A pair's signalling broke its DTLS binding (a forged or changed binding, an SDP with another
   * certificate, or none bound yet): that pair is refused for the rest of the call.
   */
  | 'mitm-detected'
  /** Signalling from or to someone the server does not list in the call. */
  | 'not-present'
  /** Someone's safety number changed and the user has not confirmed it (the key-change gate). */
  | 'key-changed'
  /** This device is in another call (1:1 or group) already. */
  | 'in-call'
  /** The server refused a call (or a longer invite list) with more people than it holds: 50, or 8 without an SFU. */
  | 'group-full'
  /** The server gives no seat in the call's SFU room (Janus down, or none): the call's media cannot flow through it. */
  | 'sfu-unavailable'
  | 'invalid-input';

export class GroupError extends Error {
  override readonly name = 'GroupError';
  constructor(
    readonly code: GroupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isGroupError(value: unknown, code?: GroupErrorCode): value is GroupError {
  return value instanceof GroupError && (code === undefined || value.code === code);
}
