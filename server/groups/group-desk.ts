import { PROTOCOL_VERSION, outgoingGroupSchemas, type ClientMessage, type OutgoingGroupMessage, type ServerMessage } from '../../shared/protocol';
import type { GroupCallStore, KeyPackageStore } from '../store/store';
import { KeyedBuckets } from '../limits/keyed-buckets';
import { GroupRelay } from './group-relay';
import type { GroupMessage, GroupRefusal } from './group-rules';
import { KeyPackageDesk } from './key-package-desk';

/**
 * A member's state (group.state) changes when its user clicks: a burst of 10, then 2 a second. One
 * member cannot flood the others, who each decrypt every one; beyond it the message is refused.
 */
const MEMBER_STATE_BURST = 10;
const MEMBER_STATE_PER_SECOND = 2;

const GROUP_TYPES: ReadonlySet<string> = new Set(outgoingGroupSchemas.map((schema) => schema.shape.type.value));

export function isGroupMessage(message: ClientMessage): message is OutgoingGroupMessage {
  return GROUP_TYPES.has(message.type);
}

export interface GroupDeskPorts {
  deliver(userId: string, message: ServerMessage): boolean;
  isKnown(userId: string): boolean;
  busyChanged(userId: string): void;
  storeFailed(error: unknown): void;
  membershipChanged?(groupId: string, left: readonly string[], members: readonly string[] | null): void;
}

type Answer = GroupRefusal | undefined | Promise<GroupRefusal | undefined>;

/**
 * Who owns, is invited to and is in each group, and the order of commits: GroupRelay on one
 * instance, RedisGroupRelay (server/cluster/redis-group-relay.ts) across several.
 */
export interface GroupRegistry {
  /** Refused unless `from` is a member and every user asked for is a member or an invitee. */
  mayFetch(from: string, groupId: string, users: readonly string[]): Answer;
  handle(from: string, message: Exclude<GroupMessage, { type: 'keys.fetch' }>): Answer;
  /** With `token` (several instances): only if that session is still the user's, or none is. */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked', token?: string): void;
  /** The user's session became one that can be rung: ring it for the groups waiting for it. */
  ringPending(userId: string): void;
  stop(): void;
}

/**
 * The hub's door to group calls: KeyPackages and the group registry together, because a fetch is
 * allowed only within a group, and a session is rung only once it has published.
 */
export class GroupDesk {
  /** One instance: the in-memory registry (the hub asks it who is busy). */
  readonly local: GroupRelay | undefined;
  private readonly registry: GroupRegistry;
  private readonly keys: KeyPackageDesk;
  private readonly stateBudgets = new KeyedBuckets(MEMBER_STATE_PER_SECOND, MEMBER_STATE_BURST);

  /**
   * @param groupCalls one instance: where its running calls are kept across a restart.
   * @param cluster several instances: the registry in Redis, which decides itself who can be rung.
   */
  /**
   * @param sfu one instance with an SFU: calls for more than `meshMax` people go through it.
   */
  constructor(store: KeyPackageStore, ports: GroupDeskPorts, graceMs: number, groupCalls: GroupCallStore | undefined, cluster?: GroupRegistry, sfu?: { meshMax: number }) {
    this.keys = new KeyPackageDesk(
      store,
      (userId, message) => { ports.deliver(userId, message); },
      (userId) => { this.registry.ringPending(userId); },
    );
    if (cluster) {
      this.local = undefined;
      this.registry = cluster;
      return;
    }
    const local = new GroupRelay(
      {
        deliver: (userId, message) => ports.deliver(userId, message),
        isKnown: (userId) => ports.isKnown(userId),
        canRing: (userId) => this.keys.canRing(userId),
        busyChanged: (userId) => { ports.busyChanged(userId); },
        storeFailed: (error) => { ports.storeFailed(error); },
        membershipChanged: (groupId, left, members) => { ports.membershipChanged?.(groupId, left, members); },
      },
      graceMs,
      groupCalls,
      sfu,
    );
    this.local = local;
    this.registry = local;
  }

  handle(from: string, message: OutgoingGroupMessage): Answer {
    switch (message.type) {
      case 'keys.publish':
        return this.keys.publish(from, message);
      case 'group.state':
        if (!this.stateBudgets.take(from)) {
          return { code: 'rate-limited', message: `member state: at most ${MEMBER_STATE_BURST} at once, then ${MEMBER_STATE_PER_SECOND} a second; send the latest when the user changes it` };
        }
        return this.registry.handle(from, message);
      case 'keys.fetch': {
        const allowed = this.registry.mayFetch(from, message.groupId, message.users);
        if (allowed instanceof Promise) return allowed.then((refusal) => refusal ?? this.keys.fetch(from, message));
        return allowed ?? this.keys.fetch(from, message);
      }
      default:
        return this.registry.handle(from, message);
    }
  }

  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked', token?: string): void {
    this.keys.sessionGone(userId);
    this.registry.userGone(userId, reason, token);
  }

  stop(): void {
    this.registry.stop();
  }
}

/** The error a refusal becomes, naming the request and the group. */
export function groupError(message: OutgoingGroupMessage, refusal: GroupRefusal): ServerMessage {
  return {
    v: PROTOCOL_VERSION,
    type: 'error',
    code: refusal.code,
    message: refusal.message,
    ...(message.id === undefined ? {} : { ref: message.id }),
    ...('groupId' in message ? { groupId: message.groupId } : {}),
    ...(refusal.epoch === undefined ? {} : { epoch: refusal.epoch }),
  };
}
