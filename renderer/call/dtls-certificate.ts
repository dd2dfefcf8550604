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

let spare: Promise<DtlsCertificate> | undefined;

/**
 * The certificate for a new call: one made ahead of time when there is one (a P-256 key takes a
 * few ms to make, on the critical path of call set-up otherwise), and the next one started at once.
 * Each certificate serves one call only, as before.
 */
export function takeDtlsCertificate(): Promise<DtlsCertificate> {
  const taken = (spare ?? createDtlsCertificate()).catch(() => createDtlsCertificate());
  makeSpareDtlsCertificate();
  return taken;
}

/** Starts making the next call's certificate, if none is being made. */
export function makeSpareDtlsCertificate(): void {
  spare = createDtlsCertificate();
  spare.catch(() => undefined);
}
