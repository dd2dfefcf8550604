/** Members, pins and a server's fan-out for the group-session tests: real keys, real ts-mls. */
import { generateIdentityKeyPair, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { signGroupInvite, type GroupInvite } from '../../../shared/crypto/group-invite';
import type { SignedGroupInvite } from './invite-book';
import { KeyPackageStore } from './key-packages';
import type { PinnedKeyLookup } from './member-binding';
import type { CommitOutcome, GroupSession } from './group-session';

export interface TestUser {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
  readonly keyPackages: KeyPackageStore;
  /** What this user's device has pinned; a test may change it to model a wrong pin. */
  readonly pins: Map<string, Uint8Array>;
  readonly pinnedKey: PinnedKeyLookup;
  /** The KeyPackages the server would hand out for this user, first one first. */
  readonly published: Uint8Array[];
}

export async function makeUsers(ids: readonly string[]): Promise<Map<string, TestUser>> {
  const identities = new Map<string, IdentityKeyPair>();
  for (const id of ids) identities.set(id, await generateIdentityKeyPair());
  const users = new Map<string, TestUser>();
  for (const [userId, identity] of identities) {
    const pins = new Map([...identities].map(([id, keys]) => [id, keys.publicKey] as const));
    const keyPackages = new KeyPackageStore({ userId, identity });
    const batch = await keyPackages.generateBatch(3);
    users.set(userId, { userId, identity, keyPackages, pins, pinnedKey: (id) => pins.get(id) ?? null, published: [...batch.oneTime] });
  }
  return users;
}

export function user(users: Map<string, TestUser>, id: string): TestUser {
  const found = users.get(id);
  if (found === undefined) throw new Error(`no test user ${id}`);
  return found;
}

export async function signedInvite(owner: TestUser, groupId: string, invitees: string[]): Promise<SignedGroupInvite> {
  const invite: GroupInvite = { groupId, owner: owner.userId, invitees, media: 'video', issuedAt: 1_700_000_000_000 };
  return { invite, signature: await signGroupInvite(owner.identity.secretKey, invite) };
}

export function fetchKeyPackage(target: TestUser): { userId: string; keyPackage: Uint8Array } {
  const keyPackage = target.published.shift();
  if (keyPackage === undefined) throw new Error(`${target.userId} has no KeyPackage left`);
  return { userId: target.userId, keyPackage };
}

/** The server's fan-out: every member handles the commit, in one order. */
export async function fanOut(sessions: readonly GroupSession[], commit: Uint8Array): Promise<CommitOutcome[]> {
  const outcomes: CommitOutcome[] = [];
  for (const session of sessions) outcomes.push(await session.handleCommit(commit));
  return outcomes;
}
