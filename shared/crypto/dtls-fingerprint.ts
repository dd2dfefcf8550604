import { CryptoError } from './errors';

/**
 * A DTLS certificate fingerprint as SDP carries it (RFC 8122): a hash name and colon-separated
 * hex. The handshake signs it, and every SDP of the call must carry `a=fingerprint` lines equal to
 * the signed one, so both are normalised the same way before they are compared.
 */
const FINGERPRINT = /^(sha-256|sha-384|sha-512) ((?:[0-9a-f]{2}:)+[0-9a-f]{2})$/i;

/** Any spelling of the attribute, so that no line a parser might take for one is skipped here. */
const FINGERPRINT_LINE = /^\s*a\s*=\s*fingerprint\s*:/i;

const DIGEST_BYTES: Record<string, number> = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 };

export function normalizeFingerprint(text: string): string {
  const match = FINGERPRINT.exec(text.trim());
  const algorithm = match?.[1]?.toLowerCase();
  const hex = match?.[2]?.toUpperCase();
  if (algorithm === undefined || hex === undefined || (hex.length + 1) / 3 !== DIGEST_BYTES[algorithm]) {
    throw new CryptoError('invalid-input', 'not a DTLS fingerprint of the form "sha-256 AB:CD:…"');
  }
  return `${algorithm} ${hex}`;
}

/**
 * Every distinct `a=fingerprint` in an SDP, normalised. A session-level line and identical
 * media-level lines collapse into one; more than one distinct value means the SDP is not bound to
 * a single certificate, and the caller must treat that as a mismatch.
 */
export function fingerprintsInSdp(sdp: string): string[] {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const attribute = FINGERPRINT_LINE.exec(line);
    if (attribute) found.add(normalizeFingerprint(line.slice(attribute[0].length)));
  }
  return [...found];
}

/** True only when the SDP names exactly the one expected certificate. */
export function sdpMatchesFingerprint(sdp: string, expected: string): boolean {
  const found = fingerprintsInSdp(sdp);
  return found.length === 1 && found[0] === normalizeFingerprint(expected);
}
