import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RELAY_LUA, type RelayScriptName } from './relay-lua';

/** One thing a script asks its caller to do (see relay-lua.ts). */
export interface Effect {
  kind: 'refuse' | 'relay' | 'held' | 'ended' | 'busy' | 'deadline' | 'replaced' | 'reaped';
  to: string;
  /** The recipient's session token, '' when they have no session. */
  token: string;
  a: string;
  b: string;
}

const KINDS = new Set<string>(['refuse', 'relay', 'held', 'ended', 'busy', 'deadline', 'replaced', 'reaped']);

function isEffectKind(kind: string): kind is Effect['kind'] {
  return KINDS.has(kind);
}

function toEffects(reply: unknown): Effect[] {
  if (!Array.isArray(reply)) throw new Error('a relay script returned something other than a list');
  return reply.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 5 || !row.every((field) => typeof field === 'string')) throw new Error('a relay script returned a malformed effect');
    const [kind, to, token, a, b] = row;
    if (kind === undefined || !isEffectKind(kind)) throw new Error('a relay script returned an unknown effect');
    return { kind, to: to ?? '', token: token ?? '', a: a ?? '', b: b ?? '' };
  });
}

/**
 * Runs the relay's scripts by their SHA (loaded once at start), so a message costs its arguments
 * on the wire, not the script. A Redis that lost its script cache (restarted) gets the script
 * itself; commands go out on one connection in call order either way.
 */
export class LuaScripts {
  private readonly shas = new Map<RelayScriptName, string>();

  /** @param instanceId the calling instance: scripts publish deliveries for any other one themselves. */
  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
  ) {
    for (const [name, source] of Object.entries(RELAY_LUA) as [RelayScriptName, string][]) {
      this.shas.set(name, createHash('sha1').update(source).digest('hex'));
    }
  }

  async load(): Promise<void> {
    await Promise.all(Object.values(RELAY_LUA).map((source) => this.redis.script('LOAD', source)));
  }

  /** Runs a script with now, grace, invite timeout and this instance's id first, then `args`. */
  async run(name: RelayScriptName, timing: { graceMs: number; inviteTimeoutMs: number }, args: readonly string[]): Promise<Effect[]> {
    const argv = [String(Date.now()), String(timing.graceMs), String(timing.inviteTimeoutMs), this.instanceId, ...args];
    const sha = this.shas.get(name) ?? '';
    try {
      return toEffects(await this.redis.evalsha(sha, 0, ...argv));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return toEffects(await this.redis.eval(RELAY_LUA[name], 0, ...argv));
    }
  }
}
