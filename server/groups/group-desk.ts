import { PROTOCOL_VERSION, outgoingGroupSchemas, type ClientMessage, type OutgoingGroupMessage, type ServerMessage } from '../../shared/protocol';
import type { KeyPackageStore } from '../store/store';
import { GroupRelay, type GroupRefusal } from './group-relay';
import { KeyPackageDesk } from './key-package-desk';

const GROUP_TYPES: ReadonlySet<string> = new Set(outgoingGroupSchemas.map((schema) => schema.shape.type.value));

export function isGroupMessage(message: ClientMessage): message is OutgoingGroupMessage {
  return GROUP_TYPES.has(message.type);
}

export interface GroupDeskPorts {
  deliver(userId: string, message: ServerMessage): boolean;
  isKnown(userId: string): boolean;
  busyChanged(userId: string): void;
}

/**
 * The hub's door to group calls: KeyPackages and the group relay together, because a fetch is
 * allowed only within a group, and a session is rung only once it has published.
 */
export class GroupDesk {
  readonly relay: GroupRelay;
  private readonly keys: KeyPackageDesk;

  constructor(store: KeyPackageStore, ports: GroupDeskPorts, graceMs: number) {
    this.keys = new KeyPackageDesk(
      store,
      (userId, message) => { ports.deliver(userId, message); },
      (userId) => { this.relay.ringPending(userId); },
    );
    this.relay = new GroupRelay(
      { deliver: (userId, message) => ports.deliver(userId, message), isKnown: (userId) => ports.isKnown(userId), canRing: (userId) => this.keys.canRing(userId), busyChanged: (userId) => { ports.busyChanged(userId); } },
      graceMs,
    );
  }

  handle(from: string, message: OutgoingGroupMessage): GroupRefusal | undefined | Promise<GroupRefusal | undefined> {
    switch (message.type) {
      case 'keys.publish':
        return this.keys.publish(from, message);
      case 'keys.fetch':
        return this.relay.mayFetch(from, message.groupId, message.users) ?? this.keys.fetch(from, message);
      default:
        return this.relay.handle(from, message);
    }
  }

  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void {
    this.keys.sessionGone(userId);
    this.relay.userGone(userId, reason);
  }

  stop(): void {
    this.relay.stop();
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
