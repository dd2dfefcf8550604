/**
 * What a hostile company server can make against group calls, on top of TamperingProxy (which
 * relays, injects, diverts a user's messages and swaps directory keys). It holds no member's leaf
 * key, so everything here is what such a server really has: every user's published KeyPackages
 * (read from its own SQLite file), signatures by keys it made itself, an MLS group of its own run
 * under a real group's id (so its commits and Welcomes are well-formed MLS for that group id, made
 * from real KeyPackages), and the answers to a member's KeyPackage fetch. docs/group-calls.md says
 * which check refuses each.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { toBase64Url } from '../../shared/crypto/bytes';
import { signGroupInvite, type GroupInvite, type GroupMedia } from '../../shared/crypto/group-invite';
import { generateIdentityKeyPair, parseIdentityKey, type IdentityKeyPair } from '../../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { GroupSession, type OutgoingCommit } from '../../electron/core/group/group-session';
import { encodeInviteField } from '../../electron/core/group/invite-wire';
import { KeyPackageStore } from '../../electron/core/group/key-packages';
import { DATABASE_FILE } from '../../server/db/database';
import type { TamperingProxy } from './tampering-proxy';

const v = PROTOCOL_VERSION;

/** The signed-invite fields of a relayed message, signed with whatever key the forger holds. */
async function signedFields(invite: GroupInvite, signWith: Uint8Array): Promise<{ invite: string; signature: string }> {
  return { invite: encodeInviteField(invite), signature: toBase64Url(await signGroupInvite(signWith, invite)) };
}

/**
 * A `group.invite` ring as the server relays it. `signed` is the invite whose signature travels
 * (by default the relayed one itself): a forger's key, or a real owner's invite of another group.
 */
export async function forgedRing(ring: {
  groupId: string;
  owner: string;
  invitees: readonly string[];
  members: readonly string[];
  media: GroupMedia;
  signWith: Uint8Array;
  signed?: GroupInvite;
}): Promise<Record<string, unknown>> {
  const relayed: GroupInvite = { groupId: ring.groupId, owner: ring.owner, invitees: [...ring.invitees], media: ring.media, issuedAt: Date.now() };
  return {
    v,
    type: 'group.invite',
    groupId: ring.groupId,
    from: ring.owner,
    media: { audio: true, video: ring.media === 'video' },
    invitees: [...ring.invitees],
    members: [...ring.members],
    ...(await signedFields(ring.signed ?? relayed, ring.signWith)),
  };
}

/** A `group.invited` (a new invite list for the members), signed with the forger's key. */
export async function forgedInviteList(list: { groupId: string; owner: string; invitees: readonly string[]; media: GroupMedia; signWith: Uint8Array }): Promise<Record<string, unknown>> {
  const invite: GroupInvite = { groupId: list.groupId, owner: list.owner, invitees: [...list.invitees], media: list.media, issuedAt: Date.now() };
  return { v, type: 'group.invited', groupId: list.groupId, invitees: [...list.invitees], ...(await signedFields(invite, list.signWith)) };
}

/** One KeyPackage for `userId` under `identity` (the user's real key, or one the server swapped in). */
export async function keyPackageUnder(userId: string, identity: IdentityKeyPair): Promise<Uint8Array> {
  const store = new KeyPackageStore({ userId, identity });
  const batch = await store.generateBatch(1);
  const keyPackage = batch.oneTime[0];
  store.wipe();
  if (keyPackage === undefined) throw new Error('no KeyPackage made');
  return keyPackage;
}

/** A one-time KeyPackage `userId` published, taken from the server's own database (and left there). */
export function storedKeyPackage(dataDir: string, userId: string): Uint8Array {
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT package FROM key_packages WHERE user_id = ? AND last_resort = 0 ORDER BY id LIMIT 1').get(userId) as { package: Buffer } | undefined;
    if (row === undefined) throw new Error(`the server holds no KeyPackage of ${userId}`);
    return new Uint8Array(row.package);
  } finally {
    db.close();
  }
}

/** The identity key of `userId`'s live device, as the server's directory holds it. */
export function storedIdentityKey(dataDir: string, userId: string): Uint8Array {
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const row = db.prepare('SELECT identity_key FROM devices WHERE user_id = ? AND retired_at IS NULL').get(userId) as { identity_key: Buffer } | undefined;
    if (row === undefined) throw new Error(`the server has no live device of ${userId}`);
    return parseIdentityKey(new Uint8Array(row.identity_key));
  } finally {
    db.close();
  }
}

/**
 * From now on the server answers every `keys.fetch` of `victim` itself, with these packages, and
 * never passes the fetch on. Returns the users the victim asked for, in order.
 */
export function answerFetches(proxy: TamperingProxy, victim: string, packages: ReadonlyMap<string, Uint8Array>): string[] {
  const asked: string[] = [];
  proxy.divertFrom(victim, ['keys.fetch'], (message) => {
    const users = Array.isArray(message['users']) ? message['users'].filter((user): user is string => typeof user === 'string') : [];
    asked.push(...users);
    proxy.inject(victim, {
      v,
      type: 'keys.packages',
      groupId: message['groupId'],
      packages: users.flatMap((userId) => {
        const keyPackage = packages.get(userId);
        return keyPackage === undefined ? [] : [{ userId, package: toBase64Url(keyPackage) }];
      }),
      missing: users.filter((userId) => !packages.has(userId)),
    });
  });
  return asked;
}

/**
 * An MLS group the attacker runs under a real group's id, with an enrolled accomplice (or any key
 * it holds) as its owner and only member: its commits and Welcomes are real MLS for that group id,
 * but of a group no honest member is in. `reach` pads it with throwaway members to a given epoch,
 * so that its commit claims the victims' current epoch.
 */
export class RogueGroup {
  #fillers = 0;

  private constructor(
    readonly session: GroupSession,
    /** The throwaway members' keys, which its own checks look up. */
    private readonly pins: Map<string, Uint8Array>,
  ) {}

  /** `pins`: the real keys of the real users it will add (the server's directory has them). */
  static async start(groupId: string, owner: { userId: string; identity: IdentityKeyPair }, invitees: readonly string[], pins: ReadonlyMap<string, Uint8Array>): Promise<RogueGroup> {
    const fillers = Array.from({ length: 7 - invitees.length }, (_, i) => `filler-${i + 1}`);
    const invite: GroupInvite = { groupId, owner: owner.userId, invitees: [...invitees, ...fillers], media: 'audio', issuedAt: Date.now() };
    const signed = { invite, signature: await signGroupInvite(owner.identity.secretKey, invite) };
    const known = new Map([...pins, [owner.userId, owner.identity.publicKey]]);
    const session = await GroupSession.create({ groupId, owner: owner.userId, self: owner, pinnedKey: (userId) => known.get(userId) ?? null }, signed);
    return new RogueGroup(session, known);
  }

  /** Adds throwaway members until the group is at `epoch`. */
  async reach(epoch: number): Promise<void> {
    while (Number(this.session.epoch) < epoch) {
      this.#fillers += 1;
      const userId = `filler-${this.#fillers}`;
      const identity = await generateIdentityKeyPair();
      this.pins.set(userId, identity.publicKey);
      await this.commit(await this.session.commitAdd([{ userId, keyPackage: await keyPackageUnder(userId, identity) }]));
    }
  }

  /** An Add of `userId` from this KeyPackage, applied here too; the commit and its Welcome are the attacker's to send. */
  async add(userId: string, keyPackage: Uint8Array): Promise<OutgoingCommit> {
    return this.commit(await this.session.commitAdd([{ userId, keyPackage }]));
  }

  async commit(outgoing: OutgoingCommit): Promise<OutgoingCommit> {
    await this.session.handleCommit(outgoing.commit);
    return outgoing;
  }

  wipe(): void {
    this.session.wipe();
  }
}

/** The relayed form of a commit the attacker made, as the server fans one out. */
export function committedMessage(groupId: string, from: string, outgoing: OutgoingCommit): Record<string, unknown> {
  return { v, type: 'group.committed', groupId, epoch: Number(outgoing.epoch), from, commit: toBase64Url(outgoing.commit) };
}

/** The relayed form of the Welcome of an Add the attacker made. */
export function welcomeMessage(groupId: string, from: string, outgoing: OutgoingCommit): Record<string, unknown> {
  if (outgoing.welcome === undefined) throw new Error('that commit has no Welcome');
  return { v, type: 'group.welcome', groupId, epoch: Number(outgoing.epoch), from, welcome: toBase64Url(outgoing.welcome) };
}
