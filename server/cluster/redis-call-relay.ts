import { PROTOCOL_VERSION, relayedFrom, type OutgoingCallMessage, type ServerMessage } from '../../shared/protocol';
import { ENDS_CALL, MAX_HELD_SIGNALS, RELAY_RULES, RESUME_CLAIM_MS, type Relay, type RelayRefusal } from '../relay/relay';
import type { Effect, LuaScripts } from './lua-scripts';

export interface ClusterRelayPorts {
  /**
   * Sends to the session `token` names on this instance ('' means no session). The scripts
   * publish deliveries to sessions on other instances themselves.
   */
  deliver(userId: string, token: string, message: ServerMessage): void;
  /** The same, with the message already serialised (by this or another instance). */
  deliverText(userId: string, token: string, text: string): void;
  /** Enrolled and not revoked. */
  isKnown(userId: string): boolean;
  isBusy(userId: string): boolean;
  /** Users busy across the cluster (for the calls gauge). */
  busyCount(): number;
}

/** Deadlines left by an instance that died are picked up by this periodic sweep on any other. */
const SWEEP_EVERY_MS = 1_000;
const SWEEP_BATCH = 100;

/**
 * The call relay for several instances: the same behaviour as CallRelay (relay-behaviour.test.ts
 * runs one suite against both), with every call, resume claim and deadline in Redis, changed by
 * the scripts in relay-lua.ts. Invite timeouts and grace periods are deadlines in a sorted set:
 * each instance sets a timer for the ones it made and sweeps now and then for everyone's, so a
 * call whose instance died still ends on time.
 */
export class RedisCallRelay implements Relay {
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Number.POSITIVE_INFINITY;
  private readonly periodic: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly scripts: LuaScripts,
    private readonly ports: ClusterRelayPorts,
    private readonly timing: { inviteTimeoutMs: number; graceMs: number },
    private readonly onError: (error: unknown) => void,
  ) {
    this.periodic = setInterval(() => { this.sweep(); }, SWEEP_EVERY_MS);
    this.periodic.unref();
  }

  get activeCalls(): number {
    return Math.floor(this.ports.busyCount() / 2);
  }

  isBusy(userId: string): boolean {
    return this.ports.isBusy(userId);
  }

  async handle(from: string, message: OutgoingCallMessage): Promise<RelayRefusal | undefined> {
    if (message.type === 'call.invite') {
      // The directory check is local (every instance has the whole directory), as in CallRelay.
      if (message.to === from) return { code: 'bad-message', message: 'you cannot call yourself' };
      if (!this.ports.isKnown(message.to)) return { code: 'unknown-user', message: `no user '${message.to}' in the directory` };
      const relayed = JSON.stringify(relayedFrom(message, from));
      return this.apply(await this.scripts.run('invite', this.timing, [message.callId, from, message.to, relayed]), relayed);
    }
    if (message.type === 'call.resume') {
      return this.apply(await this.scripts.run('resume', this.timing, [message.callId, from, message.to, message.role, String(RESUME_CLAIM_MS)]));
    }
    const rule = RELAY_RULES[message.type];
    const relayed = JSON.stringify(relayedFrom(message, from));
    const args = [message.callId, from, message.to, message.type, rule.role, `,${rule.states.join(',')},`, ENDS_CALL.has(message.type) ? '1' : '0', relayed, String(MAX_HELD_SIGNALS)];
    return this.apply(await this.scripts.run('handle', this.timing, args), relayed);
  }

  async userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): Promise<void> {
    this.apply(await this.scripts.run('userGone', this.timing, [userId, reason]));
  }

  /**
   * Carries out a script's effects in order; returns its refusal, if any. `relayed` is the
   * serialised message a `relay` effect passes on. Effects about sessions (replaced, reaped) are
   * the caller's and are skipped here.
   */
  apply(effects: readonly Effect[], relayed?: string): RelayRefusal | undefined {
    let refusal: RelayRefusal | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'refuse':
          refusal = { code: effect.a as RelayRefusal['code'], message: effect.b };
          break;
        case 'relay':
          if (relayed !== undefined) this.ports.deliverText(effect.to, effect.token, relayed);
          break;
        case 'held':
          this.ports.deliverText(effect.to, effect.token, effect.a);
          break;
        case 'ended':
          this.ports.deliver(effect.to, effect.token, { v: PROTOCOL_VERSION, type: 'call.ended', callId: effect.a, reason: effect.b as 'timeout' | 'peer-disconnected' | 'peer-revoked' });
          break;
        case 'busy':
          this.ports.deliver(effect.to, effect.token, { v: PROTOCOL_VERSION, type: 'call.busy', callId: effect.a, from: effect.b });
          break;
        case 'deadline':
          this.wakeAt(Number(effect.a));
          break;
        case 'replaced':
        case 'reaped':
          break;
      }
    }
    return refusal;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.periodic);
    clearTimeout(this.sweepTimer);
  }

  private wakeAt(at: number): void {
    if (this.stopped || !Number.isFinite(at) || at >= this.sweepAt) return;
    clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => {
      this.sweepAt = Number.POSITIVE_INFINITY;
      this.sweep();
    }, Math.max(0, at - Date.now()));
  }

  private sweep(): void {
    if (this.stopped) return;
    this.scripts.run('sweep', this.timing, [String(SWEEP_BATCH)]).then((effects) => this.apply(effects), this.onError);
  }
}
