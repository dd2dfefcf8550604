import {
  MAX_GROUP_MEMBERS,
  PROTOCOL_VERSION,
  type OutgoingGroupMessage,
  type ServerMessage,
} from '../../shared/protocol';
import type { RelayRefusal } from '../relay/relay';
import type { GroupRegistry } from './group-desk';

/*
 * Group calls on one server instance (docs/protocol.md, "Group calls"): who owns, who is invited,
 * who is in, and the order of MLS commits. The server never reads a commit, a welcome or the
 * owner's signed invite; it only decides who may send what to whom, and in which order.
 */

export interface GroupPorts {
  /** Sends to a user's live session; false if they have none. */
  deliver(userId: string, message: ServerMessage): boolean;
  /** Enrolled and not revoked. */
  isKnown(userId: string): boolean;
  /** Connected with an app that published KeyPackages on this session: it speaks group calls. */
  canRing(userId: string): boolean;
  /** A user entered or left a group: their presence (busy) may have changed. */
  busyChanged(userId: string): void;
}

export interface GroupRefusal extends RelayRefusal {
  /** With 'stale-epoch': the group's current epoch. */
  epoch?: number;
}

/**
 * What a dropped member misses while it is away, delivered when it comes back: commits, welcomes
 * and membership changes. Beyond this it could not catch up anyway, and is dropped from the group.
 */
export const MAX_MISSED_MESSAGES = 32;

interface Absence {
  timer: NodeJS.Timeout;
  missed: ServerMessage[];
}

interface SignedInvite {
  invitees: string[];
  invite: string;
  signature: string;
}

interface Group {
  id: string;
  owner: string;
  media: { audio: boolean; video: boolean };
  /** The owner's latest signed list; only these may join. */
  signed: SignedInvite;
  invited: Set<string>;
  /** In the order they joined; the owner first. */
  members: Map<string, Absence | undefined>;
  /** Commits accepted so far: the MLS epoch every member is at once it has processed them all. */
  epoch: number;
}

type Message<T extends OutgoingGroupMessage['type']> = Extract<OutgoingGroupMessage, { type: T }>;
export type GroupMessage = Exclude<OutgoingGroupMessage, { type: 'keys.publish' }>;

const v = PROTOCOL_VERSION;

export class GroupRelay implements GroupRegistry {
  private readonly groups = new Map<string, Group>();
  /** The one group each user is a member of. */
  private readonly groupOf = new Map<string, Group>();

  /**
   * @param graceMs how long a member whose socket dropped stays in the group (as a 1:1 call's
   *   party does): the media is peer to peer and may well still flow.
   */
  constructor(
    private readonly ports: GroupPorts,
    private readonly graceMs: number,
  ) {}

  get activeGroups(): number {
    return this.groups.size;
  }

  isInGroup(userId: string): boolean {
    return this.groupOf.has(userId);
  }

  /** Members and invitees of the user's group may fetch each other's KeyPackages. */
  mayFetch(from: string, groupId: string, users: readonly string[]): GroupRefusal | undefined {
    const group = this.memberGroup(from, groupId);
    if (!group) return notMember(groupId);
    const stranger = users.find((user) => user === from || (!group.members.has(user) && !group.invited.has(user)));
    if (stranger !== undefined) return { code: 'not-invited', message: `'${stranger}' is neither invited to nor a member of group ${groupId}` };
    this.cameBack(group, from);
    return undefined;
  }

  handle(from: string, message: Exclude<GroupMessage, { type: 'keys.fetch' }>): GroupRefusal | undefined {
    switch (message.type) {
      case 'group.create':
        return this.create(from, message);
      case 'group.join':
        return this.join(from, message.groupId);
      case 'group.decline':
        return this.decline(from, message.groupId, message.reason);
      default:
        break;
    }
    const group = this.memberGroup(from, message.groupId);
    if (!group) return notMember(message.groupId);
    this.cameBack(group, from);
    switch (message.type) {
      case 'group.invite':
        return this.extend(from, group, message);
      case 'group.leave':
        this.removeMember(group, from, 'left');
        return undefined;
      case 'group.remove':
        return this.remove(from, group, message.userId);
      case 'group.end':
        if (from !== group.owner) return { code: 'not-a-member', message: `only the owner ends group ${group.id}` };
        this.end(group, 'ended');
        return undefined;
      case 'group.commit':
        return this.commit(from, group, message);
      case 'group.signal':
        return this.signal(from, group, message);
    }
  }

  /** A user's session is gone: a member is kept for the grace period, unless revoked. */
  userGone(userId: string, reason: 'peer-disconnected' | 'peer-revoked'): void {
    const group = this.groupOf.get(userId);
    if (!group) return;
    if (reason === 'peer-revoked') {
      this.removeMember(group, userId, 'revoked');
      return;
    }
    if (group.members.get(userId) !== undefined) return;
    const timer = setTimeout(() => {
      if (this.groups.get(group.id) === group && group.members.get(userId) !== undefined) this.removeMember(group, userId, 'disconnected');
    }, this.graceMs);
    group.members.set(userId, { timer, missed: [] });
  }

  stop(): void {
    for (const group of this.groups.values()) for (const absence of group.members.values()) if (absence) clearTimeout(absence.timer);
    this.groups.clear();
    this.groupOf.clear();
  }

  private create(from: string, message: Message<'group.create'>): GroupRefusal | undefined {
    const { groupId } = message;
    if (this.groups.has(groupId)) return { code: 'bad-message', message: 'that group id is already in use: pick a fresh random one' };
    const problem = this.checkInvitees(from, message.invitees);
    if (problem) return problem;
    const current = this.groupOf.get(from);
    // Creating anew means the group this user dropped out of is over for them.
    if (current && current.members.get(from) !== undefined) this.removeMember(current, from, 'disconnected');
    if (this.groupOf.has(from)) return { code: 'bad-message', message: 'you are already in a group call: leave it before starting another' };
    const group: Group = {
      id: groupId,
      owner: from,
      media: message.media,
      signed: { invitees: message.invitees, invite: message.invite, signature: message.signature },
      invited: new Set(message.invitees),
      members: new Map([[from, undefined]]),
      epoch: 0,
    };
    this.groups.set(groupId, group);
    this.groupOf.set(from, group);
    this.ports.busyChanged(from);
    this.ring(group, message.invitees);
    return undefined;
  }

  /** The owner signed a new list: it must keep everyone in the group, and rings those new to it. */
  private extend(from: string, group: Group, message: Message<'group.invite'>): GroupRefusal | undefined {
    if (from !== group.owner) return { code: 'not-a-member', message: `only the owner invites to group ${group.id}` };
    const problem = this.checkInvitees(from, message.invitees);
    if (problem) return problem;
    const listed = new Set(message.invitees);
    const dropped = [...group.members.keys()].find((member) => member !== group.owner && !listed.has(member));
    if (dropped !== undefined) return { code: 'bad-message', message: `the new invite list leaves out '${dropped}', who is in the group: remove them instead` };
    // Everyone listed and not yet in is rung: again, for one who was offline the first time.
    const pending = message.invitees.filter((user) => !group.members.has(user));
    for (const user of group.invited) {
      if (!listed.has(user) && !group.members.has(user)) this.ports.deliver(user, { v, type: 'group.ended', groupId: group.id, reason: 'uninvited' });
    }
    group.signed = { invitees: message.invitees, invite: message.invite, signature: message.signature };
    group.invited = listed;
    this.toMembers(group, { v, type: 'group.invited', groupId: group.id, ...group.signed }, from);
    this.ring(group, pending);
    return undefined;
  }

  /** A session that just became able to take group calls is rung for the groups waiting for it. */
  ringPending(userId: string): void {
    for (const group of this.groups.values()) {
      if (!group.invited.has(userId) || group.members.has(userId)) continue;
      this.ports.deliver(userId, { v, type: 'group.invite', groupId: group.id, from: group.owner, media: group.media, members: [...group.members.keys()], ...group.signed });
    }
  }

  private join(from: string, groupId: string): GroupRefusal | undefined {
    const group = this.groups.get(groupId);
    if (!group) return notMember(groupId);
    if (group.members.has(from)) {
      // A member back after its socket dropped: what it missed, then who is in.
      this.cameBack(group, from);
      this.ports.deliver(from, { v, type: 'group.joined', groupId, userId: from, members: [...group.members.keys()], epoch: group.epoch });
      return undefined;
    }
    // The owner may come back after leaving: its own invite names it as the owner.
    if (!group.invited.has(from) && from !== group.owner) return { code: 'not-invited', message: `you are not invited to group ${groupId}` };
    const current = this.groupOf.get(from);
    if (current && current.members.get(from) !== undefined) this.removeMember(current, from, 'disconnected');
    if (this.groupOf.has(from)) return { code: 'bad-message', message: 'you are already in a group call: leave it before joining another' };
    if (group.members.size >= MAX_GROUP_MEMBERS) return { code: 'group-full', message: `group ${groupId} has ${MAX_GROUP_MEMBERS} members` };
    group.members.set(from, undefined);
    this.groupOf.set(from, group);
    this.ports.busyChanged(from);
    this.toMembers(group, { v, type: 'group.joined', groupId, userId: from, members: [...group.members.keys()], epoch: group.epoch });
    return undefined;
  }

  private decline(from: string, groupId: string, reason: 'busy' | undefined): GroupRefusal | undefined {
    const group = this.groups.get(groupId);
    if (!group || group.members.has(from) || !group.invited.has(from)) return { code: 'not-invited', message: `you have no pending invitation to group ${groupId}` };
    group.invited.delete(from);
    this.toMembers(group, { v, type: 'group.declined', groupId, userId: from, ...(reason === undefined ? {} : { reason }) });
    return undefined;
  }

  private remove(from: string, group: Group, userId: string): GroupRefusal | undefined {
    if (from !== group.owner) return { code: 'not-a-member', message: `only the owner removes members of group ${group.id}` };
    if (userId === from) return { code: 'bad-message', message: 'the owner leaves with group.leave or ends with group.end' };
    if (group.members.has(userId)) {
      group.invited.delete(userId);
      this.removeMember(group, userId, 'removed');
      return undefined;
    }
    if (!group.invited.delete(userId)) return { code: 'not-a-member', message: `'${userId}' is not in group ${group.id}` };
    // Invited, not yet in: the ring is cancelled, and a join refused from now on.
    this.ports.deliver(userId, { v, type: 'group.ended', groupId: group.id, reason: 'removed' });
    return undefined;
  }

  /**
   * First commit for the current epoch wins; every member (the committer too, as its
   * confirmation) gets it in the same order, and the welcome goes to the one member it adds.
   */
  private commit(from: string, group: Group, message: Message<'group.commit'>): GroupRefusal | undefined {
    if (message.epoch !== group.epoch) {
      return { code: 'stale-epoch', message: `group ${group.id} is at epoch ${group.epoch}, not ${message.epoch}: process the commits you have not yet seen, then retry if still needed`, epoch: group.epoch };
    }
    const { welcome, welcomeTo } = message;
    if (welcomeTo !== undefined && (welcomeTo === from || !group.members.has(welcomeTo))) {
      return { code: 'not-a-member', message: `a welcome goes only to someone who joined group ${group.id}` };
    }
    group.epoch += 1;
    this.toMembers(group, { v, type: 'group.committed', groupId: group.id, epoch: message.epoch, from, commit: message.commit });
    if (welcome !== undefined && welcomeTo !== undefined) {
      this.toMember(group, welcomeTo, { v, type: 'group.welcome', groupId: group.id, epoch: message.epoch, from, welcome });
    }
    return undefined;
  }

  private signal(from: string, group: Group, message: Message<'group.signal'>): GroupRefusal | undefined {
    if (message.to === from || !group.members.has(message.to)) return { code: 'not-a-member', message: `'${message.to}' is not in group ${group.id}` };
    // Not held for an absent member: its connections restart when it is back.
    if (group.members.get(message.to) === undefined) this.ports.deliver(message.to, { v, type: 'group.signal', groupId: group.id, from, data: message.data, ...(message.dtls === undefined ? {} : { dtls: message.dtls }) });
    return undefined;
  }

  private checkInvitees(from: string, invitees: readonly string[]): GroupRefusal | undefined {
    if (new Set(invitees).size !== invitees.length) return { code: 'bad-message', message: 'the invite list names someone twice' };
    if (invitees.includes(from)) return { code: 'bad-message', message: 'the owner is not one of the invitees' };
    const unknown = invitees.find((user) => !this.ports.isKnown(user));
    if (unknown !== undefined) return { code: 'unknown-user', message: `no user '${unknown}' in the directory` };
    return undefined;
  }

  /** Tells the invitees the app of which can answer, and the owner whom it rang. */
  private ring(group: Group, invitees: readonly string[]): void {
    const rung: string[] = [];
    const unavailable: string[] = [];
    const members = [...group.members.keys()];
    for (const user of invitees) {
      const delivered = this.ports.canRing(user) && this.ports.deliver(user, { v, type: 'group.invite', groupId: group.id, from: group.owner, media: group.media, members, ...group.signed });
      (delivered ? rung : unavailable).push(user);
    }
    this.ports.deliver(group.owner, { v, type: 'group.rung', groupId: group.id, epoch: group.epoch, rung, unavailable });
  }

  private removeMember(group: Group, userId: string, reason: 'left' | 'removed' | 'disconnected' | 'revoked'): void {
    const absence = group.members.get(userId);
    if (absence) clearTimeout(absence.timer);
    if (!group.members.delete(userId)) return;
    if (this.groupOf.get(userId) === group) this.groupOf.delete(userId);
    this.ports.busyChanged(userId);
    if (reason === 'removed') this.ports.deliver(userId, { v, type: 'group.ended', groupId: group.id, reason: 'removed' });
    if (group.members.size === 0) {
      this.end(group, 'empty');
      return;
    }
    this.toMembers(group, { v, type: 'group.left', groupId: group.id, userId, reason, members: [...group.members.keys()] });
  }

  /** Ends the group for its members and for invitees still being rung. */
  private end(group: Group, reason: 'ended' | 'empty'): void {
    if (this.groups.get(group.id) !== group) return;
    this.groups.delete(group.id);
    const message: ServerMessage = { v, type: 'group.ended', groupId: group.id, reason };
    for (const [member, absence] of group.members) {
      if (absence) clearTimeout(absence.timer);
      if (this.groupOf.get(member) === group) this.groupOf.delete(member);
      this.ports.busyChanged(member);
      this.ports.deliver(member, message);
    }
    for (const user of group.invited) if (!group.members.has(user)) this.ports.deliver(user, message);
    group.members.clear();
  }

  private memberGroup(userId: string, groupId: string): Group | undefined {
    const group = this.groupOf.get(userId);
    return group?.id === groupId ? group : undefined;
  }

  private toMembers(group: Group, message: ServerMessage, except?: string): void {
    for (const member of [...group.members.keys()]) if (member !== except) this.toMember(group, member, message);
  }

  /** Delivers now, or keeps it for a member that is away; one that missed too much is dropped. */
  private toMember(group: Group, userId: string, message: ServerMessage): void {
    const absence = group.members.get(userId);
    if (absence === undefined) {
      this.ports.deliver(userId, message);
      return;
    }
    if (absence.missed.length < MAX_MISSED_MESSAGES) {
      absence.missed.push(message);
      return;
    }
    this.removeMember(group, userId, 'disconnected');
  }

  /** A member that was away is back (it sent something): what it missed, in order. */
  private cameBack(group: Group, userId: string): void {
    const absence = group.members.get(userId);
    if (absence === undefined) return;
    clearTimeout(absence.timer);
    group.members.set(userId, undefined);
    for (const message of absence.missed) this.ports.deliver(userId, message);
  }
}

function notMember(groupId: string): GroupRefusal {
  return { code: 'not-a-member', message: `you are not a member of group ${groupId}` };
}
