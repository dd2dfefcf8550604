import { PROTOCOL_VERSION, relayedFrom, type OutgoingCallMessage, type ServerMessage } from '../../shared/protocol';
import { ENDS_CALL, MAX_HELD_SIGNALS, RELAY_RULES, RESUME_CLAIM_MS, type Relay, type RelayRefusal } from './relay';

export type { RelayRefusal } from './relay';

/** What the relay needs from the rest of the server. */
export interface RelayPorts {
  /** Sends to a user's live session; false if they have none. */
  deliver(userId: string, message: ServerMessage): boolean;
  isOnline(userId: string): boolean;
  /** Enrolled and not revoked. */
  isKnown(userId: string): boolean;
  /** A user entered or left a call: their presence may have changed. */
  busyChanged(userId: string): void;
}

interface Call {
  id: string;
  caller: string;
  callee: string;
  state: 'ringing' | 'active';
  /** The unanswered invite's timeout. */
  timer: NodeJS.Timeout | undefined;
  /**
   * Parties whose session dropped during the active call, each with its grace timer. Both may be
   * away at once (both on a flaky network, or both on a server instance that died): each gets
   * its own grace, and whichever runs out first ends the call.
   */
  absent: Map<string, NodeJS.Timeout>;
}

/** One side's claim to a call this server no longer knows (it restarted), waiting for the other side's. */
interface ResumeClaim {
  callId: string;
  from: string;
  to: string;
  role: 'caller' | 'callee';
  timer: NodeJS.Timeout;
  /** Signals the claimant sent before the other side claimed too: delivered once it does. */
  held: ServerMessage[];
}

type ResumeMessage = Extract<OutgoingCallMessage, { type: 'call.resume' }>;
type RelayedMessage = Exclude<OutgoingCallMessage, { type: 'call.resume' }>;

/**
 * Relays call set-up between two users. It knows who is in which call, so it can answer busy,
 * time out unanswered invites, and tell a party when the other one vanished; it never reads the
 * handshake fields it passes on. One call per user at a time.
 */
export class CallRelay implements Relay {
  private readonly calls = new Map<string, Call>();
  private readonly callOf = new Map<string, Call>();
  private readonly claims = new Map<string, ResumeClaim>();

  /**
   * @param graceMs how long an active call outlives one party's dropped session (a Wi-Fi hiccup, a
   *   laptop changing networks): the media is peer to peer and may well still flow, so the call is
   *   ended for the other side only if the party has not resumed it by then.
   */
  constructor(
    private readonly ports: RelayPorts,
    private readonly inviteTimeoutMs: number,
    private readonly graceMs = 20_000,
  ) {}

  get activeCalls(): number {
    return this.calls.size;
  }

  isBusy(userId: string): boolean {
    return this.callOf.has(userId);
  }

  /** Handles a call message from an authenticated user; a refusal goes back to the sender. */
  handle(from: string, message: OutgoingCallMessage): RelayRefusal | undefined {
    if (message.type === 'call.invite') return this.invite(from, message);
    if (message.type === 'call.resume') return this.resume(from, message);
    const call = this.calls.get(message.callId);
    const claim = call ? undefined : this.claims.get(message.callId);
    if (claim?.from === from && claim.to === message.to && message.type === 'call.signal' && claim.held.length < MAX_HELD_SIGNALS) {
      claim.held.push(relayedFrom(message, from));
      return undefined;
    }
    if (!call || (call.caller !== from && call.callee !== from)) {
      return { code: 'not-in-call', message: `you are not in call ${message.callId}` };
    }
    const role = call.caller === from ? 'caller' : 'callee';
    const peer = role === 'caller' ? call.callee : call.caller;
    if (message.to !== peer) return { code: 'not-in-call', message: `call ${message.callId} is with '${peer}', not '${message.to}'` };
    const rule = RELAY_RULES[message.type];
    if ((rule.role !== 'either' && rule.role !== role) || !(rule.states as readonly Call['state'][]).includes(call.state)) {
      return { code: 'not-in-call', message: `${message.type} is not valid from the ${role} of a ${call.state} call` };
    }
    // Back before the grace ran out, and already talking: as good as a resume.
    this.cameBack(call, from);
    if (message.type === 'call.accept') {
      call.state = 'active';
      clearTimeout(call.timer);
      call.timer = undefined;
    }
    this.ports.deliver(peer, relayedFrom(message, from));
    if (ENDS_CALL.has(message.type)) this.end(call);
    return undefined;
  }

  /** A user's session is gone (closed, dropped, replaced or revoked): end their call and tell the peer. */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void {
    this.dropClaimsOf(userId);
    const call = this.callOf.get(userId);
    if (!call) return;
    if (reason === 'peer-disconnected' && call.state === 'active' && !call.absent.has(userId)) {
      call.absent.set(
        userId,
        setTimeout(() => {
          this.abandon(call, userId, reason);
        }, this.graceMs),
      );
      return;
    }
    this.abandon(call, userId, reason);
  }

  stop(): void {
    for (const call of this.calls.values()) this.clearTimers(call);
    for (const claim of this.claims.values()) clearTimeout(claim.timer);
    this.calls.clear();
    this.callOf.clear();
    this.claims.clear();
  }

  private resume(from: string, message: ResumeMessage): RelayRefusal | undefined {
    const { callId, to, role } = message;
    const known = this.calls.get(callId);
    if (known) {
      const claimed = role === 'caller' ? known.caller === from && known.callee === to : known.callee === from && known.caller === to;
      if (!claimed || known.state !== 'active') return { code: 'not-in-call', message: `you are not in an active call ${callId} with '${to}'` };
      this.cameBack(known, from);
      return undefined;
    }
    if (to === from) return { code: 'bad-message', message: 'you cannot be in a call with yourself' };
    if (this.callOf.has(from)) return { code: 'bad-message', message: 'you are already in another call' };
    if (this.callOf.has(to)) return { code: 'not-in-call', message: `'${to}' is in another call` };
    const theirs = this.claims.get(callId);
    if (theirs === undefined) {
      this.dropClaimsOf(from);
      const timer = setTimeout(() => {
        if (this.claims.get(callId)?.from === from) this.claims.delete(callId);
      }, RESUME_CLAIM_MS);
      this.claims.set(callId, { callId, from, to, role, timer, held: [] });
      return undefined;
    }
    if (theirs.from === from) return undefined;
    if (theirs.from !== to || theirs.to !== from || theirs.role === role) {
      return { code: 'not-in-call', message: `call ${callId} is claimed by others` };
    }
    clearTimeout(theirs.timer);
    this.claims.delete(callId);
    const call: Call = { id: callId, caller: role === 'caller' ? from : to, callee: role === 'caller' ? to : from, state: 'active', timer: undefined, absent: new Map() };
    this.calls.set(callId, call);
    this.callOf.set(from, call);
    this.callOf.set(to, call);
    this.ports.busyChanged(from);
    this.ports.busyChanged(to);
    for (const held of theirs.held) this.ports.deliver(from, held);
    return undefined;
  }

  /** Ends a call a party left for good, and tells the other one. */
  private abandon(call: Call, userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void {
    if (this.calls.get(call.id) !== call) return;
    this.end(call);
    const peer = call.caller === userId ? call.callee : call.caller;
    this.ports.deliver(peer, { v: PROTOCOL_VERSION, type: 'call.ended', callId: call.id, reason });
  }

  private dropClaimsOf(userId: string): void {
    for (const claim of this.claims.values()) {
      if (claim.from !== userId) continue;
      clearTimeout(claim.timer);
      this.claims.delete(claim.callId);
    }
  }

  private invite(from: string, message: Extract<RelayedMessage, { type: 'call.invite' }>): RelayRefusal | undefined {
    const to = message.to;
    if (to === from) return { code: 'bad-message', message: 'you cannot call yourself' };
    if (!this.ports.isKnown(to)) return { code: 'unknown-user', message: `no user '${to}' in the directory` };
    if (this.calls.has(message.callId) || this.claims.has(message.callId)) {
      return { code: 'bad-message', message: 'that call id is already in use: pick a fresh random one' };
    }
    // Calling anew means the call this user dropped out of is over for them.
    const left = this.callOf.get(from);
    if (left?.absent.has(from)) this.abandon(left, from, 'peer-disconnected');
    this.dropClaimsOf(from);
    if (this.callOf.has(from)) return { code: 'bad-message', message: 'you are already in a call: end it before starting another' };
    if (!this.ports.isOnline(to)) return { code: 'user-offline', message: `'${to}' is offline` };
    if (this.callOf.has(to)) {
      // Answered by the server on the callee's behalf: the callee is not disturbed.
      this.ports.deliver(from, { v: PROTOCOL_VERSION, type: 'call.busy', callId: message.callId, from: to });
      return undefined;
    }
    const call: Call = { id: message.callId, caller: from, callee: to, state: 'ringing', timer: undefined, absent: new Map() };
    call.timer = setTimeout(() => { this.timeOut(call); }, this.inviteTimeoutMs);
    this.calls.set(call.id, call);
    this.callOf.set(from, call);
    this.callOf.set(to, call);
    this.ports.busyChanged(from);
    this.ports.busyChanged(to);
    this.ports.deliver(to, relayedFrom(message, from));
    return undefined;
  }

  private timeOut(call: Call): void {
    if (this.calls.get(call.id) !== call || call.state !== 'ringing') return;
    this.end(call);
    for (const party of [call.caller, call.callee]) {
      this.ports.deliver(party, { v: PROTOCOL_VERSION, type: 'call.ended', callId: call.id, reason: 'timeout' });
    }
  }

  private cameBack(call: Call, userId: string): void {
    clearTimeout(call.absent.get(userId));
    call.absent.delete(userId);
  }

  private clearTimers(call: Call): void {
    clearTimeout(call.timer);
    for (const timer of call.absent.values()) clearTimeout(timer);
  }

  private end(call: Call): void {
    this.clearTimers(call);
    this.calls.delete(call.id);
    if (this.callOf.get(call.caller) === call) this.callOf.delete(call.caller);
    if (this.callOf.get(call.callee) === call) this.callOf.delete(call.callee);
    this.ports.busyChanged(call.caller);
    this.ports.busyChanged(call.callee);
  }
}
