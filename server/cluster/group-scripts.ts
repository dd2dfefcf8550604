import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GROUP_LUA, type GroupScriptName } from './group-lua';

/** One row a group script returns (group-lua.ts). */
export type GroupRow =
  | { kind: 'local'; to: string; token: string; text: string }
  | { kind: 'refuse'; code: string; message: string; epoch: string }
  | { kind: 'overflow'; to: string }
  | { kind: 'deadline'; at: number }
  | { kind: 'conflict' }
  | { kind: 'skip' };

function toRow(row: unknown): GroupRow {
  if (!Array.isArray(row) || !row.every((field) => typeof field === 'string')) throw new Error('a group script returned a malformed row');
  const [kind, a = '', b = '', c = ''] = row;
  switch (kind) {
    case 'local':
      return { kind, to: a, token: b, text: c };
    case 'refuse':
      return { kind, code: a, message: b, epoch: c };
    case 'overflow':
      return { kind, to: a };
    case 'deadline':
      return { kind, at: Number(a) };
    case 'conflict':
    case 'skip':
      return { kind };
    default:
      throw new Error('a group script returned an unknown row');
  }
}

/**
 * Runs the group scripts by their SHA, on the connection the 1:1 relay's scripts use, so that
 * commands go out in the order they were asked for (as LuaScripts does for relay-lua.ts).
 */
export class GroupScripts {
  private readonly shas = new Map<GroupScriptName, string>();

  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
  ) {
    for (const [name, source] of Object.entries(GROUP_LUA) as [GroupScriptName, string][]) {
      this.shas.set(name, createHash('sha1').update(source).digest('hex'));
    }
  }

  async load(): Promise<void> {
    await Promise.all(Object.values(GROUP_LUA).map((source) => this.redis.script('LOAD', source)));
  }

  /** Runs a script with now, this instance, the grace and the missed-messages bound first, then the group id and `args`. */
  async run(name: GroupScriptName, timing: { graceMs: number; maxMissed: number }, groupId: string, args: readonly string[]): Promise<GroupRow[]> {
    const argv = [String(Date.now()), this.instanceId, String(timing.graceMs), String(timing.maxMissed), groupId, ...args];
    const sha = this.shas.get(name) ?? '';
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(sha, 0, ...argv);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.redis.eval(GROUP_LUA[name], 0, ...argv);
    }
    if (!Array.isArray(reply)) throw new Error('a group script returned something other than a list');
    return reply.map(toRow);
  }
}
