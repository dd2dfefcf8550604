import type { Redis } from 'ioredis';
import { PROTOCOL_VERSION, type ServerMessage } from '../../shared/protocol';
import type { GroupRegistry } from '../groups/group-desk';
import { parseGroupDoc, type GroupDoc } from '../groups/group-doc';
import {
  MAX_MISSED_MESSAGES,
  create,
  decline,
  dropAway,
  join,
  mayFetch,
  memberRequest,
  ringPending,
  userGone,
  type Context,
  type Decision,
  type GroupMessage,
  type GroupRefusal,
  type Send,
  welcomeList,
} from '../groups/group-rules';
import type { GroupRow, GroupScripts } from './group-scripts';
import { KEY } from './keys';

export interface ClusterGroupPorts {
  /** Sends to the session `token` names, if it is on this instance; the scripts publish the others. */
  deliverText(userId: string, token: string, text: string): void;
  /** Enrolled and not revoked. */
  isKnown(userId: string): boolean;
  /** The token of the user's session on this instance, if it holds it. */
  tokenOf(userId: string): string | undefined;
}

/** A change decided on a group that another instance changed meanwhile is decided again; this many times at most. */
const MAX_ATTEMPTS = 50;
/** Graces left by an instance that died are picked up by this periodic sweep on any other. */
const SWEEP_EVERY_MS = 1_000;
const SWEEP_BATCH = 100;

const v = PROTOCOL_VERSION;

/**
 * Group calls for several instances: the rules of server/groups/group-rules.ts applied to groups
 * held in Redis. A request reads its group, decides, and the
 * apply script writes the change only over the revision it read, with the deliveries in the same
 * step; a commit is one script that compares and bumps the epoch and fans out (group-lua.ts).
 * Each user's requests are handled one after another, so they take effect in the order sent.
 */
export class RedisGroupRelay implements GroupRegistry {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timing: { graceMs: number; maxMissed: number };
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Number.POSITIVE_INFINITY;
  private readonly periodic: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly scripts: GroupScripts,
    private readonly ports: ClusterGroupPorts,
    graceMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timing = { graceMs, maxMissed: MAX_MISSED_MESSAGES };
    this.periodic = setInterval(() => { this.sweep(); }, SWEEP_EVERY_MS);
    this.periodic.unref();
  }

  handle(from: string, message: Exclude<GroupMessage, { type: 'keys.fetch' }>): Promise<GroupRefusal | undefined> {
    return this.inOrder(from, () => {
      switch (message.type) {
        case 'group.commit':
          return this.commit(from, message);
        case 'group.create':
          return this.transact(message.groupId, from, (doc, context) => create(from, message, doc, context));
        case 'group.join':
          return this.transact(message.groupId, from, (doc, context) => join(from, message.groupId, doc, context, message.rejoin === true));
        case 'group.decline':
          return this.transact(message.groupId, from, (doc) => decline(from, message.groupId, doc, message.reason));
        default:
          return this.transact(message.groupId, from, (doc, context) => memberRequest(from, message, doc, context));
      }
    });
  }

  mayFetch(from: string, groupId: string, users: readonly string[]): Promise<GroupRefusal | undefined> {
    return this.inOrder(from, () => this.transact(groupId, from, (doc) => mayFetch(from, groupId, users, doc)));
  }

  /**
   * A user's session is gone (closed, replaced, or on an instance that died): a member is kept for
   * the grace, unless revoked. With `token`, only if that session is still the user's, or none is.
   */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked', token?: string): void {
    this.inOrder(userId, async () => {
      const groupId = await this.redis.get(KEY.groupOf(userId));
      if (groupId === null) return undefined;
      const guard = token === undefined ? undefined : { user: userId, token };
      return this.transact(groupId, undefined, (doc, context) => userGone(groupId, userId, reason, doc, context), guard);
    }).catch(this.onError);
  }

  /** The user's session here published KeyPackages: it may be rung, and is, for the groups waiting for it. */
  ringPending(userId: string): void {
    const token = this.ports.tokenOf(userId);
    if (token === undefined) return;
    this.inOrder(userId, async () => {
      await this.redis.hset(KEY.ringable, userId, token);
      for (const groupId of await this.redis.smembers(KEY.groupInvited(userId))) {
        await this.transact(groupId, undefined, (doc) => ringPending(userId, groupId, doc));
      }
      return undefined;
    }).catch(this.onError);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.periodic);
    clearTimeout(this.sweepTimer);
  }

  /** Runs `run` after every earlier request of `userId` has been handled. */
  private inOrder<T>(userId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const result = previous.then(run);
    const tail = result.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => { if (this.queues.get(userId) === tail) this.queues.delete(userId); });
    return result;
  }

  /** First commit for the current epoch wins, in one script (group-lua.ts, COMMIT). */
  private async commit(from: string, message: Extract<GroupMessage, { type: 'group.commit' }>): Promise<GroupRefusal | undefined> {
    const { groupId, epoch, welcome, welcomeTo } = message;
    const committed = text({ v, type: 'group.committed', groupId, epoch, from, commit: message.commit });
    const welcomed = welcome !== undefined && welcomeTo !== undefined ? text({ v, type: 'group.welcome', groupId, epoch, from, welcome }) : '';
    const recipients = welcomeTo === undefined ? '' : welcomeList(welcomeTo).join('\n');
    const rows = await this.scripts.run('commit', this.timing, groupId, [from, String(epoch), committed, recipients, welcomed]);
    return this.carryOut(groupId, rows);
  }

  /**
   * Reads the group (and the group `from` is in), decides, and applies the decision over the
   * revision read; decides again if the group changed meanwhile.
   */
  private async transact(
    groupId: string,
    from: string | undefined,
    decide: (doc: GroupDoc | undefined, context: Context) => Decision,
    guard?: { user: string; token: string },
  ): Promise<GroupRefusal | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      // The group and, for a request, the group its sender is in, read at one moment.
      const [docText, heldId] = from === undefined ? [await this.redis.get(KEY.group(groupId)), null] : await this.redis.mget(KEY.group(groupId), KEY.groupOf(from));
      const doc = typeof docText === 'string' ? parseGroupDoc(docText) : undefined;
      const context: Context = { now: Date.now(), graceMs: this.timing.graceMs, isKnown: (userId) => this.ports.isKnown(userId), groupOfSender: undefined };
      if (from !== undefined && typeof heldId === 'string') context.groupOfSender = await this.heldBy(from, heldId, groupId, doc);
      const decision = decide(doc, context);
      if (decision.leaveFirst !== undefined && from !== undefined) {
        const left = decision.leaveFirst;
        await this.transact(left, undefined, (other) => dropAway(left, from, other, undefined));
        continue;
      }
      if (decision.next === undefined && decision.sends.length === 0) return decision.refusal;
      const next = decision.next === undefined ? '' : decision.next === null ? '-' : JSON.stringify(decision.next);
      const args = [String(doc?.rev ?? 0), next, guard?.user ?? '', guard?.token ?? ''];
      for (const send of decision.sends) args.push(LUA_MODE[send.mode], send.to, encode(send));
      const rows = await this.scripts.run('apply', this.timing, groupId, args);
      if (rows.some((row) => row.kind === 'conflict')) continue;
      return this.carryOut(groupId, rows) ?? decision.refusal;
    }
    throw new Error('a group call kept changing while a request for it was decided');
  }

  /** The group `from` is a member of, and whether it is away there. */
  private async heldBy(from: string, heldId: string, groupId: string, doc: GroupDoc | undefined): Promise<Context['groupOfSender']> {
    if (heldId === groupId) return { groupId, away: doc?.away[from] !== undefined };
    const other = await this.redis.get(KEY.group(heldId));
    return { groupId: heldId, away: other !== null && parseGroupDoc(other).away[from] !== undefined };
  }

  private carryOut(groupId: string, rows: readonly GroupRow[]): GroupRefusal | undefined {
    let refusal: GroupRefusal | undefined;
    for (const row of rows) {
      switch (row.kind) {
        case 'local':
          this.ports.deliverText(row.to, row.token, row.text);
          break;
        case 'refuse':
          refusal = { code: row.code as GroupRefusal['code'], message: row.message, ...(row.epoch === '' ? {} : { epoch: Number(row.epoch) }) };
          break;
        case 'overflow':
          // It could not catch up anyway: out of the group, as when its grace runs out.
          this.drop(groupId, row.to);
          break;
        case 'deadline':
          this.wakeAt(row.at);
          break;
        case 'conflict':
        case 'skip':
          break;
      }
    }
    return refusal;
  }

  private drop(groupId: string, userId: string, now?: number): void {
    this.inOrder(userId, () => this.transact(groupId, undefined, (doc) => dropAway(groupId, userId, doc, now))).catch(this.onError);
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

  /** Ends the graces that ran out, whichever instance set them. */
  private sweep(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.redis.zrangebyscore(KEY.groupDeadlines, '-inf', now, 'LIMIT', 0, SWEEP_BATCH).then((due) => {
      for (const member of due) {
        const bar = member.indexOf('|');
        if (bar > 0) this.drop(member.slice(0, bar), member.slice(bar + 1), now);
      }
    }, this.onError);
  }
}

function text(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** The apply script's one-letter delivery modes (group-lua.ts). */
const LUA_MODE = { now: 'd', member: 'm', missed: 'f', ring: 'r', rung: 'R' } as const satisfies Record<Send['mode'], string>;

function encode(send: Send): string {
  switch (send.mode) {
    case 'missed':
      return '';
    case 'rung':
      // The script appends the two lists, as it learns whom the rings reached, and the closing brace.
      return text(send.message).replace(/"rung":\[\],"unavailable":\[\]\}$/, '');
    default:
      return text(send.message);
  }
}
