import { describe, expect, it } from 'vitest';
import { fingerprintsInSdp, normalizeFingerprint, sdpMatchesFingerprint } from './dtls-fingerprint';
import { isCryptoError } from './errors';

const hex = (byte: string, count = 32) => Array.from({ length: count }, () => byte).join(':');
const FP_A = `sha-256 ${hex('AB')}`;
const FP_B = `sha-256 ${hex('CD')}`;

const sdp = (...fingerprints: string[]) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...fingerprints.map((fp) => `a=fingerprint:${fp}`), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', ''].join('\r\n');

describe('DTLS fingerprints', () => {
  it('normalises the hash name to lower case and the hex to upper case', () => {
    expect(normalizeFingerprint(`SHA-256 ${hex('ab')}`)).toBe(FP_A);
    expect(normalizeFingerprint(`  ${FP_A}  `)).toBe(FP_A);
  });

  it('rejects unknown hashes, wrong lengths and junk with a typed error', () => {
    for (const bad of [`md5 ${hex('AB', 16)}`, `sha-256 ${hex('AB', 31)}`, 'sha-256', `sha-256 ${hex('ZZ')}`, `sha-1 ${hex('AB', 20)}`]) {
      let caught: unknown;
      try {
        normalizeFingerprint(bad);
      } catch (error) {
        caught = error;
      }
      expect(isCryptoError(caught, 'invalid-input'), bad).toBe(true);
    }
  });

  it('matches an SDP that names exactly the signed certificate', () => {
    expect(sdpMatchesFingerprint(sdp(FP_A), FP_A)).toBe(true);
    expect(sdpMatchesFingerprint(sdp(FP_A, FP_A.toLowerCase()), FP_A)).toBe(true);
  });

  it('does not match another certificate, two certificates, or none', () => {
    expect(sdpMatchesFingerprint(sdp(FP_B), FP_A)).toBe(false);
    expect(sdpMatchesFingerprint(sdp(FP_A, FP_B), FP_A)).toBe(false);
    expect(sdpMatchesFingerprint(sdp(), FP_A)).toBe(false);
    expect(fingerprintsInSdp(sdp(FP_A, FP_B))).toEqual([FP_A, FP_B]);
  });
});
