import { MAX_GROUP_MEMBERS, MAX_MESH_MEMBERS, PROTOCOL_VERSION, type OutgoingGroupMessage, type ServerMessage } from '../../shared/protocol';
import type { RelayRefusal } from '../relay/relay';
import { copyDoc, type GroupDoc } from './group-doc';

/*
 * The rules of group calls (docs/protocol.md, "Group calls"), once for every deployment: functions
 * from a group's document to its next state and the deliveries that follow. One instance applies
 * them to documents in memory (group-relay.ts); several apply them over Redis
 * (server/cluster/redis-group-relay.ts), where a script writes the change only over the revision it
 * was decided on and makes the deliveries in that same step. The server never reads a commit, a
 * welcome or the owner's signed invite: it decides who may send what to whom, and in which order.
 */

export interface GroupRefusal extends RelayRefusal {
  /** With 'stale-epoch': the group's current epoch. */
  epoch?: number;
}

export type GroupMessage = Exclude<OutgoingGroupMessage, { type: 'keys.publish' }>;

/**
 * What a dropped member misses while it is away, delivered when it comes back: commits, welcomes
 * and membership changes. Beyond this it could not catch up anyway, and is dropped from the group.
 */
export const MAX_MISSED_MESSAGES = 32;

/**
 * One delivery:
 * - `now`: to the user's session if it has one, else lost;
 * - `member`: to a member, or kept for it while it is away in its grace (at most
 *   MAX_MISSED_MESSAGES; one that missed more is dropped from the group);
 * - `missed`: what the member missed while away, in order;
 * - `ring`: a ring, only to a session that can take group calls (it published KeyPackages);
 * - `rung`: the group.rung to the owner, whose lists name whom the rings before it reached.
 */
export type Send =
  | { mode: 'now' | 'member' | 'ring'; to: string; message: ServerMessage }
  | { mode: 'missed'; to: string }
  | { mode: 'rung'; to: string; message: Extract<ServerMessage, { type: 'group.rung' }> };

export interface Decision {
  refusal?: GroupRefusal;
  /** The new document; null deletes the group; undefined leaves it as read. */
  next?: GroupDoc | null;
  sends: Send[];
  /** The sender must first leave the group it was dropped from (it is away there): then decide again. */
  leaveFirst?: string;
}

type Message<T extends OutgoingGroupMessage['type']> = Extract<OutgoingGroupMessage, { type: T }>;

/** What a decision needs to know beyond the group's document. */
export interface Context {
  now: number;
  graceMs: number;
  isKnown(userId: string): boolean;
  /** The group the sender is a member of, if any, and whether it is away there. */
  groupOfSender: { groupId: string; away: boolean } | undefined;
  /**
   * This server hands out SFU seats (docs/protocol.md, "Meetings over the SFU"): a call for more
   * than `meshMax` people goes through it. Without: every call is a mesh of at most MAX_MESH_MEMBERS.
   */
  sfu?: { meshMax: number };
}

const v = PROTOCOL_VERSION;

export function notMember(groupId: string): GroupRefusal {
  return { code: 'not-a-member', message: `you are not a member of group ${groupId}` };
}

const refuse = (refusal: GroupRefusal): Decision => ({ refusal, sends: [] });

export function create(from: string, message: Message<'group.create'>, doc: GroupDoc | undefined, context: Context): Decision {
  const { groupId } = message;
  if (doc) return refuse({ code: 'bad-message', message: 'that group id is already in use: pick a fresh random one' });
  const problem = checkInvitees(from, message.invitees, context);
  if (problem) return refuse(problem);
  const held = context.groupOfSender;
  // Creating anew means the group this user dropped out of is over for them.
  if (held?.away === true) return { sends: [], leaveFirst: held.groupId };
  if (held) return refuse({ code: 'bad-message', message: 'you are already in a group call: leave it before starting another' });
  const people = message.invitees.length + 1;
  const tooMany = meshCap(people, context);
  if (tooMany) return refuse(tooMany);
  const next: GroupDoc = {
    owner: from,
    media: message.media,
    invitees: message.invitees,
    invite: message.invite,
    signature: message.signature,
    invited: [...message.invitees],
    members: [from],
    away: {},
    epoch: 0,
    rev: 0,
    ...(context.sfu !== undefined && people > context.sfu.meshMax ? { transport: 'sfu' as const } : {}),
  };
  // The owner hears the transport at once; the invitees with their ring.
  const owner: Send[] = next.transport === 'sfu' ? [{ mode: 'now', to: from, message: { v, type: 'group.transport', groupId, transport: 'sfu' } }] : [];
  return { next, sends: [...owner, ...ring(groupId, next, message.invitees)] };
}

export function join(from: string, groupId: string, doc: GroupDoc | undefined, context: Context, rejoin = false): Decision {
  if (!doc) return refuse(notMember(groupId));
  // Its MLS state is of a group it was taken out of: joining anew would need a new Welcome.
  if (rejoin && !doc.members.includes(from)) return refuse({ code: 'not-a-member', message: `you are no longer in group ${groupId}: you were away longer than the grace` });
  if (doc.members.includes(from)) {
    // A member back after its socket dropped: what it missed, then who is in. What it missed is
    // handed over even if its grace had not started: the group keeps a member's messages from the
    // moment it has no session (group-lua.ts).
    const back = cameBack(doc, from);
    const joined: ServerMessage = { v, type: 'group.joined', groupId, userId: from, members: doc.members, epoch: doc.epoch, ...transportField(doc) };
    return { next: back.next, sends: [{ mode: 'missed', to: from }, { mode: 'now', to: from, message: joined }] };
  }
  // The owner may come back after leaving: its own invite names it as the owner.
  if (!doc.invited.includes(from) && from !== doc.owner) return refuse({ code: 'not-invited', message: `you are not invited to group ${groupId}` });
  const held = context.groupOfSender;
  if (held?.away === true && held.groupId !== groupId) return { sends: [], leaveFirst: held.groupId };
  if (held) return refuse({ code: 'bad-message', message: 'you are already in a group call: leave it before joining another' });
  if (doc.members.length >= MAX_GROUP_MEMBERS) return refuse({ code: 'group-full', message: `group ${groupId} has ${MAX_GROUP_MEMBERS} members` });
  const next = copyDoc(doc);
  next.members.push(from);
  return { next, sends: toMembers(next, { v, type: 'group.joined', groupId, userId: from, members: next.members, epoch: next.epoch, ...transportField(next) }) };
}

export function decline(from: string, groupId: string, doc: GroupDoc | undefined, reason?: 'busy'): Decision {
  if (!doc || doc.members.includes(from) || !doc.invited.includes(from)) return refuse({ code: 'not-invited', message: `you have no pending invitation to group ${groupId}` });
  const next = copyDoc(doc);
  next.invited = next.invited.filter((user) => user !== from);
  return { next, sends: toMembers(next, { v, type: 'group.declined', groupId, userId: from, ...(reason === undefined ? {} : { reason }) }) };
}

/** Every request of a member: all but create, join and decline. */
export function memberRequest(
  from: string,
  message: Message<'group.invite' | 'group.leave' | 'group.remove' | 'group.end' | 'group.signal' | 'group.commit' | 'group.state'>,
  doc: GroupDoc | undefined,
  context: Context,
): Decision {
  const { groupId } = message;
  if (!doc?.members.includes(from)) return refuse(notMember(groupId));
  const back = cameBack(doc, from);
  const base = back.next ?? doc;
  const then = (decision: Decision): Decision => ({
    ...decision,
    next: decision.next === undefined ? back.next : decision.next,
    sends: [...back.sends, ...decision.sends],
  });
  switch (message.type) {
    case 'group.invite':
      return then(extend(from, groupId, base, message, context));
    case 'group.leave':
      return then(removeMember(groupId, base, from, 'left'));
    case 'group.remove':
      return then(remove(from, groupId, base, message.userId));
    case 'group.end':
      if (from !== base.owner) return then(refuse({ code: 'not-a-member', message: `only the owner ends group ${groupId}` }));
      return then(end(groupId, base, 'ended'));
    case 'group.signal': {
      if (message.to === from || !base.members.includes(message.to)) return then(refuse({ code: 'not-a-member', message: `'${message.to}' is not in group ${groupId}` }));
      // Not held for an absent member: its connections restart when it is back.
      if (base.away[message.to] !== undefined) return then({ sends: [] });
      const signal: ServerMessage = { v, type: 'group.signal', groupId, from, data: message.data, ...(message.dtls === undefined ? {} : { dtls: message.dtls }) };
      return then({ sends: [{ mode: 'now', to: message.to, message: signal }] });
    }
    case 'group.commit':
      return then(commit(from, groupId, base, message));
    case 'group.state': {
      // To the members here now: one away gets its peers' states again when it is back (they re-send on its return).
      const state: ServerMessage = { v, type: 'group.state', groupId, from, state: message.state };
      return then({ sends: base.members.filter((member) => member !== from && base.away[member] === undefined).map((to) => ({ mode: 'now', to, message: state })) });
    }
  }
}

/**
 * First commit for the current epoch wins; every member (the committer too, as its confirmation)
 * gets it in the same order, and the welcome goes to the one member it adds. Over Redis one script
 * does this same step atomically (server/cluster/group-lua.ts, COMMIT).
 */
function commit(from: string, groupId: string, doc: GroupDoc, message: Message<'group.commit'>): Decision {
  if (message.epoch !== doc.epoch) {
    return refuse({ code: 'stale-epoch', message: staleEpochMessage(groupId, doc.epoch, message.epoch), epoch: doc.epoch });
  }
  const { welcome } = message;
  const welcomeTo = message.welcomeTo === undefined ? [] : welcomeList(message.welcomeTo);
  if (welcomeTo.some((user) => user === from || !doc.members.includes(user))) {
    return refuse({ code: 'not-a-member', message: `a welcome goes only to someone who joined group ${groupId}` });
  }
  const next = copyDoc(doc);
  next.epoch += 1;
  const sends = toMembers(next, { v, type: 'group.committed', groupId, epoch: message.epoch, from, commit: message.commit });
  if (welcome !== undefined) {
    for (const to of welcomeTo) sends.push({ mode: 'member', to, message: { v, type: 'group.welcome', groupId, epoch: message.epoch, from, welcome } });
  }
  return { next, sends };
}

/** A commit's welcome recipients, once each: one user id, or the list of everyone it adds. */
export function welcomeList(welcomeTo: string | readonly string[]): string[] {
  return [...new Set(typeof welcomeTo === 'string' ? [welcomeTo] : welcomeTo)];
}

function staleEpochMessage(groupId: string, current: number, sent: number): string {
  return `group ${groupId} is at epoch ${current}, not ${sent}: process the commits you have not yet seen, then retry if still needed`;
}

/** Members and invitees of the sender's group may fetch each other's KeyPackages. */
export function mayFetch(from: string, groupId: string, users: readonly string[], doc: GroupDoc | undefined): Decision {
  if (!doc?.members.includes(from)) return refuse(notMember(groupId));
  const stranger = users.find((user) => user === from || (!doc.members.includes(user) && !doc.invited.includes(user)));
  if (stranger !== undefined) return refuse({ code: 'not-invited', message: `'${stranger}' is neither invited to nor a member of group ${groupId}` });
  return cameBack(doc, from);
}

/** A member's session dropped: it stays for the grace, its messages kept. Revoked: out at once. */
export function userGone(groupId: string, userId: string, reason: 'peer-disconnected' | 'peer-revoked', doc: GroupDoc | undefined, context: Context): Decision {
  if (!doc?.members.includes(userId)) return { sends: [] };
  if (reason === 'peer-revoked') return removeMember(groupId, doc, userId, 'revoked');
  if (doc.away[userId] !== undefined) return { sends: [] };
  const next = copyDoc(doc);
  next.away[userId] = context.now + context.graceMs;
  return { next, sends: [] };
}

/** The grace of an away member ran out (any instance may notice), or it missed too much. */
export function dropAway(groupId: string, userId: string, doc: GroupDoc | undefined, now: number | undefined): Decision {
  const until = doc?.away[userId];
  if (!doc || until === undefined || (now !== undefined && until > now)) return { sends: [] };
  return removeMember(groupId, doc, userId, 'disconnected');
}

/** A session that just published KeyPackages is rung for a group waiting for it. */
export function ringPending(userId: string, groupId: string, doc: GroupDoc | undefined): Decision {
  if (!doc?.invited.includes(userId) || doc.members.includes(userId)) return { sends: [] };
  return { sends: [{ mode: 'now', to: userId, message: inviteMessage(groupId, doc) }] };
}

/** The owner signed a new list: it must keep everyone in the group, and rings those new to it. */
function extend(from: string, groupId: string, doc: GroupDoc, message: Message<'group.invite'>, context: Context): Decision {
  if (from !== doc.owner) return refuse({ code: 'not-a-member', message: `only the owner invites to group ${groupId}` });
  const problem = checkInvitees(from, message.invitees, context);
  if (problem) return refuse(problem);
  const listed = new Set(message.invitees);
  const dropped = doc.members.find((member) => member !== doc.owner && !listed.has(member));
  if (dropped !== undefined) return refuse({ code: 'bad-message', message: `the new invite list leaves out '${dropped}', who is in the group: remove them instead` });
  const people = new Set([doc.owner, ...doc.members, ...message.invitees]).size;
  if (doc.transport !== 'sfu') {
    const tooMany = meshCap(people, context);
    if (tooMany) return refuse(tooMany);
  }
  const sends: Send[] = [];
  // Everyone listed and not yet in is rung: again, for one who was offline the first time.
  const pending = message.invitees.filter((user) => !doc.members.includes(user));
  for (const user of doc.invited) {
    if (!listed.has(user) && !doc.members.includes(user)) sends.push({ mode: 'now', to: user, message: { v, type: 'group.ended', groupId, reason: 'uninvited' } });
  }
  const next = copyDoc(doc);
  next.invitees = message.invitees;
  next.invite = message.invite;
  next.signature = message.signature;
  next.invited = [...message.invitees];
  sends.push(...toMembers(next, { v, type: 'group.invited', groupId, invitees: next.invitees, invite: next.invite, signature: next.signature }, from));
  if (doc.transport !== 'sfu' && context.sfu !== undefined && people > context.sfu.meshMax) {
    // For good: a call that shrinks again stays on the SFU rather than make everyone reconnect twice.
    next.transport = 'sfu';
    // Invitees still ringing are rung again below, with the transport in the ring.
    sends.push(...toMembers(next, { v, type: 'group.transport', groupId, transport: 'sfu' }));
  }
  sends.push(...ring(groupId, next, pending));
  return { next, sends };
}

function remove(from: string, groupId: string, doc: GroupDoc, userId: string): Decision {
  if (from !== doc.owner) return refuse({ code: 'not-a-member', message: `only the owner removes members of group ${groupId}` });
  if (userId === from) return refuse({ code: 'bad-message', message: 'the owner leaves with group.leave or ends with group.end' });
  const uninvited = copyDoc(doc);
  uninvited.invited = uninvited.invited.filter((user) => user !== userId);
  if (doc.members.includes(userId)) return removeMember(groupId, uninvited, userId, 'removed');
  if (!doc.invited.includes(userId)) return refuse({ code: 'not-a-member', message: `'${userId}' is not in group ${groupId}` });
  // Invited, not yet in: the ring is cancelled, and a join refused from now on.
  return { next: uninvited, sends: [{ mode: 'now', to: userId, message: { v, type: 'group.ended', groupId, reason: 'removed' } }] };
}

function removeMember(groupId: string, doc: GroupDoc, userId: string, reason: 'left' | 'removed' | 'disconnected' | 'revoked'): Decision {
  if (!doc.members.includes(userId)) return { sends: [] };
  const next = copyDoc(doc);
  next.members = next.members.filter((member) => member !== userId);
  next.away = without(next.away, userId);
  const sends: Send[] = [];
  if (reason === 'removed') sends.push({ mode: 'now', to: userId, message: { v, type: 'group.ended', groupId, reason: 'removed' } });
  if (next.members.length === 0) {
    const ended = end(groupId, next, 'empty');
    return { next: null, sends: [...sends, ...ended.sends] };
  }
  sends.push(...toMembers(next, { v, type: 'group.left', groupId, userId, reason, members: next.members }));
  return { next, sends };
}

/** Ends the group for its members and for invitees still being rung. */
function end(groupId: string, doc: GroupDoc, reason: 'ended' | 'empty'): Decision {
  const ended: ServerMessage = { v, type: 'group.ended', groupId, reason };
  const sends: Send[] = doc.members.map((member) => ({ mode: 'now', to: member, message: ended }));
  for (const user of doc.invited) if (!doc.members.includes(user)) sends.push({ mode: 'now', to: user, message: ended });
  return { next: null, sends };
}

/** A member that was away is back (it sent something): what it missed, in order. */
function cameBack(doc: GroupDoc, userId: string): Decision {
  if (doc.away[userId] === undefined) return { sends: [] };
  const next = copyDoc(doc);
  next.away = without(next.away, userId);
  return { next, sends: [{ mode: 'missed', to: userId }] };
}

function without(away: Readonly<Record<string, number>>, userId: string): Record<string, number> {
  return Object.fromEntries(Object.entries(away).filter(([user]) => user !== userId));
}

function checkInvitees(from: string, invitees: readonly string[], context: Context): GroupRefusal | undefined {
  if (new Set(invitees).size !== invitees.length) return { code: 'bad-message', message: 'the invite list names someone twice' };
  if (invitees.includes(from)) return { code: 'bad-message', message: 'the owner is not one of the invitees' };
  const unknown = invitees.find((user) => !context.isKnown(user));
  if (unknown !== undefined) return { code: 'unknown-user', message: `no user '${unknown}' in the directory` };
  return undefined;
}

function inviteMessage(groupId: string, doc: GroupDoc): ServerMessage {
  return { v, type: 'group.invite', groupId, from: doc.owner, media: doc.media, invitees: doc.invitees, members: doc.members, invite: doc.invite, signature: doc.signature, ...transportField(doc) };
}

/** Sent only for 'sfu': a mesh call's messages stay as apps that predate meetings know them. */
function transportField(doc: GroupDoc): { transport?: 'sfu' } {
  return doc.transport === 'sfu' ? { transport: 'sfu' } : {};
}

/**
 * A call that cannot go through an SFU (this server has none, or runs as several instances) is a
 * mesh, which holds MAX_MESH_MEMBERS; with an SFU, up to MAX_GROUP_MEMBERS (the schemas cap the lists).
 */
function meshCap(people: number, context: Context): GroupRefusal | undefined {
  if (context.sfu !== undefined) {
    if (people <= MAX_GROUP_MEMBERS) return undefined;
    return { code: 'group-full', message: `a group call holds at most ${MAX_GROUP_MEMBERS} people` };
  }
  if (people <= MAX_MESH_MEMBERS) return undefined;
  return {
    code: 'group-full',
    message: `this server has no SFU for meetings, so a group call holds at most ${MAX_MESH_MEMBERS} people (this one would have ${people})`,
  };
}

/** Rings the invitees whose app can answer (whoever applies the decision knows which), then tells the owner whom. */
function ring(groupId: string, doc: GroupDoc, invitees: readonly string[]): Send[] {
  const invite = inviteMessage(groupId, doc);
  const sends: Send[] = invitees.map((user) => ({ mode: 'ring', to: user, message: invite }));
  sends.push({ mode: 'rung', to: doc.owner, message: { v, type: 'group.rung', groupId, epoch: doc.epoch, rung: [], unavailable: [] } });
  return sends;
}

function toMembers(doc: GroupDoc, message: ServerMessage, except?: string): Send[] {
  return doc.members.filter((member) => member !== except).map((member) => ({ mode: 'member', to: member, message }));
}
