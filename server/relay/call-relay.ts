import { PROTOCOL_VERSION, relayedFrom, type OutgoingCallMessage, type ProtocolErrorCode, type ServerMessage } from '../../shared/protocol';

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

export interface RelayRefusal {
  code: ProtocolErrorCode;
  message: string;
}

interface Call {
  id: string;
  caller: string;
  callee: string;
  state: 'ringing' | 'active';
  timer: NodeJS.Timeout | undefined;
}

type Role = 'caller' | 'callee' | 'either';

/** Who may send each message, and in which state of the call. */
const RULES: Record<Exclude<OutgoingCallMessage['type'], 'call.invite'>, { role: Role; states: readonly Call['state'][] }> = {
  'call.ringing': { role: 'callee', states: ['ringing'] },
  'call.accept': { role: 'callee', states: ['ringing'] },
  'call.decline': { role: 'callee', states: ['ringing'] },
  'call.busy': { role: 'callee', states: ['ringing'] },
  'call.cancel': { role: 'caller', states: ['ringing'] },
  'call.confirm': { role: 'caller', states: ['active'] },
  'call.signal': { role: 'either', states: ['active'] },
  'call.hangup': { role: 'either', states: ['ringing', 'active'] },
};

const ENDS_CALL = new Set<OutgoingCallMessage['type']>(['call.decline', 'call.busy', 'call.cancel', 'call.hangup']);

/**
 * Relays call set-up between two users. It knows who is in which call, so it can answer busy,
 * time out unanswered invites, and tell a party when the other one vanished; it never reads the
 * handshake fields it passes on. One call per user at a time.
 */
export class CallRelay {
  private readonly calls = new Map<string, Call>();
  private readonly callOf = new Map<string, Call>();

  constructor(
    private readonly ports: RelayPorts,
    private readonly inviteTimeoutMs: number,
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
    const call = this.calls.get(message.callId);
    if (!call || (call.caller !== from && call.callee !== from)) {
      return { code: 'not-in-call', message: `you are not in call ${message.callId}` };
    }
    const role = call.caller === from ? 'caller' : 'callee';
    const peer = role === 'caller' ? call.callee : call.caller;
    if (message.to !== peer) return { code: 'not-in-call', message: `call ${message.callId} is with '${peer}', not '${message.to}'` };
    const rule = RULES[message.type];
    if ((rule.role !== 'either' && rule.role !== role) || !rule.states.includes(call.state)) {
      return { code: 'not-in-call', message: `${message.type} is not valid from the ${role} of a ${call.state} call` };
    }
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
    const call = this.callOf.get(userId);
    if (!call) return;
    this.end(call);
    const peer = call.caller === userId ? call.callee : call.caller;
    this.ports.deliver(peer, { v: PROTOCOL_VERSION, type: 'call.ended', callId: call.id, reason });
  }

  stop(): void {
    for (const call of this.calls.values()) clearTimeout(call.timer);
    this.calls.clear();
    this.callOf.clear();
  }

  private invite(from: string, message: Extract<OutgoingCallMessage, { type: 'call.invite' }>): RelayRefusal | undefined {
    const to = message.to;
    if (to === from) return { code: 'bad-message', message: 'you cannot call yourself' };
    if (!this.ports.isKnown(to)) return { code: 'unknown-user', message: `no user '${to}' in the directory` };
    if (this.calls.has(message.callId)) return { code: 'bad-message', message: 'that call id is already in use: pick a fresh random one' };
    if (this.callOf.has(from)) return { code: 'bad-message', message: 'you are already in a call: end it before starting another' };
    if (!this.ports.isOnline(to)) return { code: 'user-offline', message: `'${to}' is offline` };
    if (this.callOf.has(to)) {
      // Answered by the server on the callee's behalf: the callee is not disturbed.
      this.ports.deliver(from, { v: PROTOCOL_VERSION, type: 'call.busy', callId: message.callId, from: to });
      return undefined;
    }
    const call: Call = { id: message.callId, caller: from, callee: to, state: 'ringing', timer: undefined };
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

  private end(call: Call): void {
    clearTimeout(call.timer);
    this.calls.delete(call.id);
    if (this.callOf.get(call.caller) === call) this.callOf.delete(call.caller);
    if (this.callOf.get(call.callee) === call) this.callOf.delete(call.callee);
    this.ports.busyChanged(call.caller);
    this.ports.busyChanged(call.callee);
  }
}
