import type { OutgoingCallMessage, ProtocolErrorCode } from '../../shared/protocol';

export interface RelayRefusal {
  code: ProtocolErrorCode;
  message: string;
}

/**
 * What the hub needs from a call relay: the in-memory one for a single instance (call-relay.ts)
 * or the one over Redis for several (cluster/redis-call-relay.ts). The Redis one answers later,
 * so a refusal may come as a promise; both keep the order of one sender's messages.
 */
export interface Relay {
  readonly activeCalls: number;
  isBusy(userId: string): boolean;
  handle(from: string, message: OutgoingCallMessage): RelayRefusal | undefined | Promise<RelayRefusal | undefined>;
  /** A user's session is gone (closed, dropped, replaced or revoked). */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void | Promise<void>;
  stop(): void;
}

/** Who may send each message, and in which state of the call. Shared by both relays so they cannot drift. */
export const RELAY_RULES = {
  'call.ringing': { role: 'callee', states: ['ringing'] },
  'call.accept': { role: 'callee', states: ['ringing'] },
  'call.decline': { role: 'callee', states: ['ringing'] },
  'call.busy': { role: 'callee', states: ['ringing'] },
  'call.cancel': { role: 'caller', states: ['ringing'] },
  'call.confirm': { role: 'caller', states: ['active'] },
  'call.signal': { role: 'either', states: ['active'] },
  'call.hangup': { role: 'either', states: ['ringing', 'active'] },
} as const satisfies Record<Exclude<OutgoingCallMessage['type'], 'call.invite' | 'call.resume'>, { role: 'caller' | 'callee' | 'either'; states: readonly ('ringing' | 'active')[] }>;

export const ENDS_CALL: ReadonlySet<OutgoingCallMessage['type']> = new Set(['call.decline', 'call.busy', 'call.cancel', 'call.hangup']);

/** How long one side's resume claim waits for the other's: both reconnect within the backoff's reach of a restart. */
export const RESUME_CLAIM_MS = 60_000;

/** What a claim holds back at most: an ICE restart's offer and its candidates fit many times over. */
export const MAX_HELD_SIGNALS = 64;
