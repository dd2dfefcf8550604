/**
 * The per-pair DTLS binding of one group call (docs/group-calls.md, "Signalling between members"):
 * every member's page runs one DTLS certificate for all its pairs; the core signs its fingerprint
 * for each peer and holds every SDP the pair exchanges, both ways, to the signed fingerprints. A
 * pair that breaks the binding once is refused for the rest of the call: libwebrtc takes a new
 * remote certificate from any later offer, so a pair whose SDPs were tampered with cannot be
 * trusted to stay honest.
 */
import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import { normalizeFingerprint } from '../../../shared/crypto/dtls-fingerprint';
import { signGroupDtls, verifyGroupDtls } from '../../../shared/crypto/group-dtls';
import type { SignalData } from '../../../shared/protocol';
import { signalKeepsCertificate } from '../calls/signal-fingerprint';
import { GroupError } from './group-error';
import type { LocalMember, PinnedKeyLookup } from './member-binding';

/** The `dtls` field of `group.signal` (shared/protocol/group.ts). */
export interface WireDtls {
  readonly fingerprint: string;
  readonly signature: string;
}

interface Bound {
  readonly fingerprint: string;
  /** The signature that bound it: the same one again needs no second check. */
  readonly signature: string;
}

/** Why an incoming signal was dropped; the pair is refused from then on. */
export interface PairRefusal {
  readonly code: 'mitm-detected' | 'unknown-member';
  readonly message: string;
}

export class PairBindings {
  readonly #groupId: string;
  readonly #self: LocalMember;
  readonly #pinnedKey: PinnedKeyLookup;
  readonly #ownFingerprint: string;
  readonly #signed = new Map<string, Promise<WireDtls>>();
  readonly #bound = new Map<string, Bound>();
  readonly #refused = new Set<string>();

  /** Throws (`invalid-input`) for a fingerprint that is not one. */
  constructor(groupId: string, self: LocalMember, pinnedKey: PinnedKeyLookup, ownFingerprint: string) {
    this.#groupId = groupId;
    this.#self = self;
    this.#pinnedKey = pinnedKey;
    try {
      this.#ownFingerprint = normalizeFingerprint(ownFingerprint);
    } catch {
      throw new GroupError('invalid-input', 'not a DTLS fingerprint of the form "sha-256 AB:CD:…"');
    }
  }

  isRefused(userId: string): boolean {
    return this.#refused.has(userId);
  }

  refuse(userId: string): void {
    this.#refused.add(userId);
    this.#bound.delete(userId);
  }

  /**
   * The member left the call: a page that comes back may run another certificate, so it binds
   * anew. A refused pair stays refused.
   */
  forget(userId: string): void {
    this.#bound.delete(userId);
  }

  /**
   * Checks what our page sends `to`, and returns the signed binding to attach. Synchronous up to
   * the signature, so that a page's signals keep their order (each waits on the same cached one).
   */
  outgoing(to: string, data: SignalData): Promise<WireDtls> {
    if (this.#refused.has(to)) throw new GroupError('mitm-detected', `the connection with ${to} was refused in this call`);
    if (!signalKeepsCertificate(data, this.#ownFingerprint)) {
      throw new GroupError('mitm-detected', 'this SDP does not carry the certificate this side gave for the call');
    }
    let signed = this.#signed.get(to);
    if (signed === undefined) {
      signed = signGroupDtls(this.#self.identity.secretKey, { groupId: this.#groupId, peer: to, fingerprint: this.#ownFingerprint }).then((signature) => ({
        fingerprint: this.#ownFingerprint,
        signature: toBase64Url(signature),
      }));
      this.#signed.set(to, signed);
    }
    return signed;
  }

  /**
   * Whether a signal `from` a present member may reach our page: a `dtls` must verify under the
   * sender's pinned key (the first valid one binds the pair), and any SDP must carry exactly the
   * bound fingerprint. Null: pass it on. Otherwise the pair is refused from now on.
   */
  async incoming(from: string, data: SignalData, dtls: WireDtls | undefined): Promise<PairRefusal | null> {
    if (this.#refused.has(from)) return { code: 'mitm-detected', message: `the connection with ${from} was refused in this call` };
    const refusal = await this.#check(from, data, dtls);
    if (refusal !== null) this.refuse(from);
    return refusal;
  }

  async #check(from: string, data: SignalData, dtls: WireDtls | undefined): Promise<PairRefusal | null> {
    if (dtls !== undefined) {
      let fingerprint: string;
      try {
        fingerprint = normalizeFingerprint(dtls.fingerprint);
      } catch {
        return { code: 'mitm-detected', message: `${from} sent a DTLS binding without a valid fingerprint` };
      }
      const bound = this.#bound.get(from);
      if (bound !== undefined && bound.fingerprint !== fingerprint) {
        return { code: 'mitm-detected', message: `${from}'s DTLS certificate changed during the call` };
      }
      if (bound?.signature !== dtls.signature) {
        const key = await this.#pinnedKey(from);
        if (key === null) return { code: 'unknown-member', message: `${from} has no usable identity key on this device` };
        const valid = await verifyGroupDtls(key, { groupId: this.#groupId, peer: this.#self.userId, fingerprint }, fromBase64Url(dtls.signature));
        if (!valid) return { code: 'mitm-detected', message: `${from}'s DTLS binding is not signed by their pinned key` };
        // Re-read after the awaits: a binding that landed meanwhile must still agree.
        const now = this.#bound.get(from);
        if (now !== undefined && now.fingerprint !== fingerprint) return { code: 'mitm-detected', message: `${from}'s DTLS certificate changed during the call` };
        if (this.#refused.has(from)) return { code: 'mitm-detected', message: `the connection with ${from} was refused in this call` };
        this.#bound.set(from, { fingerprint, signature: dtls.signature });
      }
    }
    if (!('sdp' in data)) return null;
    const bound = this.#bound.get(from);
    if (bound === undefined) return { code: 'mitm-detected', message: `${from} sent an SDP before any signed DTLS binding` };
    if (!signalKeepsCertificate(data, bound.fingerprint)) return { code: 'mitm-detected', message: `an SDP from ${from} does not carry the certificate they signed` };
    return null;
  }

  wipe(): void {
    this.#signed.clear();
    this.#bound.clear();
  }
}
