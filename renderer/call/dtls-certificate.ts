import { normalizeFingerprint } from '../../shared/crypto/dtls-fingerprint';

export interface DtlsCertificate {
  certificate: RTCCertificate;
  /** "sha-256 AB:CD:…", as the handshake signs it and the remote SDP must carry it. */
  fingerprint: string;
}

/**
 * A fresh certificate per call, made before any SDP exists, so its fingerprint can be signed into
 * the handshake. P-256 ECDSA certificates are fingerprinted with SHA-256 in the SDP, the same hash
 * taken here.
 */
export async function createDtlsCertificate(): Promise<DtlsCertificate> {
  const algorithm: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
  const certificate = await RTCPeerConnection.generateCertificate(algorithm);
  const sha256 = certificate.getFingerprints().find((fingerprint) => fingerprint.algorithm?.toLowerCase() === 'sha-256');
  if (sha256?.value === undefined) throw new Error('the DTLS certificate has no SHA-256 fingerprint');
  return { certificate, fingerprint: normalizeFingerprint(`sha-256 ${sha256.value}`) };
}
