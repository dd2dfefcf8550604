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

/** Ended sessions remembered per member: far more than a call restarts a pair. */
const ENDED_PER_MEMBER = 32;

/**
 * Per member, the session ids of their peer connections that one of our pairs was talking to when
 * it ended. Signalling is asynchronous (each SDP is signed by the core, relayed by the server), so
 * an ICE-restart offer or an answer from a peer connection the member has since replaced can
 * arrive after our new pair exists: taken, it would bind our new pair to a peer connection that
 * is gone, and the pair would wait for candidates forever. Such an SDP is recognised here and dropped.
 */
export class EndedSessions {
  readonly #ended = new Map<string, string[]>();

  end(userId: string, session: string | null): void {
    if (session === null) return;
    const list = this.#ended.get(userId) ?? [];
    if (list.includes(session)) return;
    list.push(session);
    if (list.length > ENDED_PER_MEMBER) list.shift();
    this.#ended.set(userId, list);
  }

  /** Whether `sdp` comes from a peer connection of `userId`'s that a pair of ours saw end. */
  isStale(userId: string, sdp: string): boolean {
    const session = sdpSessionId(sdp);
    return session !== null && (this.#ended.get(userId)?.includes(session) ?? false);
  }

  forget(userId: string): void {
    this.#ended.delete(userId);
  }
}
