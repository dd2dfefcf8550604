import { sdpMatchesFingerprint } from '../../../shared/crypto/dtls-fingerprint';
import type { SignalData } from '../../../shared/protocol';

/*
 * Whether a description may pass between the renderer and the server, given the DTLS fingerprint
 * the handshake bound to the side that made it. libwebrtc takes a new remote certificate from any
 * later offer or answer (an ICE restart, a renegotiation, one the server makes up) and runs DTLS
 * again against it, so one checked description is worth nothing unless every one after it is
 * checked the same way.
 */

/**
 * True only when every `a=fingerprint` in the SDP, at session or media level, names the signed
 * certificate, and there is at least one. None, another, or a malformed one: false.
 */
export function sdpKeepsCertificate(sdp: string, signedFingerprint: string): boolean {
  try {
    return sdpMatchesFingerprint(sdp, signedFingerprint);
  } catch {
    return false;
  }
}

/** Any signal that carries an SDP (offer, answer, pranswer, rollback) is held to it; candidates and renegotiation requests carry no certificate. */
export function signalKeepsCertificate(data: SignalData, signedFingerprint: string): boolean {
  return !('sdp' in data) || sdpKeepsCertificate(data.sdp, signedFingerprint);
}
