/**
 * The session id of an SDP's origin line (`o=<user> <sess-id> <sess-version> …`, RFC 8866 §5.2),
 * or null when there is none. A peer connection keeps its session id for its whole life (an ICE
 * restart only bumps the version), so an offer under another id comes from a new peer connection
 * on the other side: the member started their half of the pair again.
 */
export function sdpSessionId(sdp: string): string | null {
  for (const line of sdp.split(/\r?\n/u)) {
    if (!line.startsWith('o=')) continue;
    const id = line.slice(2).split(' ')[1];
    return id !== undefined && /^[0-9]{1,20}$/u.test(id) ? id : null;
  }
  return null;
}
