/**
 * One group call's MLS group, from this member's side: create it or join it from a Welcome, make
 * and process commits in the server's order, and hand out each epoch's SFrame keys and security
 * code. The MLS state lives in memory only and is zeroed when the call ends. Every leaf the group
 * ever shows us is checked against the pinned identity keys, and every Add against the signed
 * invites (docs/group-calls.md).
 *
 * Commits follow the server's order: a commit made here is only pending until the server fans it
 * back out (then it is adopted), and a commit by someone else for the same epoch supersedes every
 * pending one (the caller retries what it still needs on the new epoch).
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  joinGroup,
  mlsExporter,
  processMessage,
  zeroOutUint8Array,
  type ClientState,
  type IncomingMessageCallback,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { constantTimeEqual } from '../../../shared/crypto/bytes';
import { groupSecurityCode } from '../../../shared/crypto/group-security-code';
import { SFRAME_MLS_BASE_KEY_BYTES, SFRAME_MLS_EXPORTER_LABEL } from '../../../shared/crypto/sframe-mls';
import { GroupError, isGroupError, type GroupErrorCode } from './group-error';
import { InviteBook, type SignedGroupInvite } from './invite-book';
import { openFetchedKeyPackage, type KeyPackageStore } from './key-packages';
import { credentialFor, LeafAuthenticator, signatureKeyPair, userIdOf, type LocalMember, type PinnedKeyLookup } from './member-binding';
import { GROUP_CIPHERSUITE, groupCipherSuite } from './mls-suite';

/** Far above any commit or Welcome of a 50-member group (about 20 KB each), so a hostile one cannot make us parse megabytes. */
export const MAX_HANDSHAKE_BYTES = 256 * 1024;
const utf8 = new TextEncoder();

export interface GroupSessionOptions {
  /** The client-minted group call id; also the MLS group id (as UTF-8). */
  readonly groupId: string;
  /** The owner's user id: the one whose signed invites say who may join. */
  readonly owner: string;
  readonly self: LocalMember;
  readonly pinnedKey: PinnedKeyLookup;
}

export interface GroupMember {
  /** The MLS leaf index: the SFrame sender index. */
  readonly index: number;
  readonly userId: string;
}

/**
 * What the renderer gets for one epoch: per-call media keys, nothing of MLS itself. `baseKey` is
 * RFC 9605 §5.2's base_key of the epoch; each sender's key comes from it and the sender's KID.
 */
export interface GroupEpochKeys {
  readonly groupId: string;
  readonly epoch: bigint;
  readonly ownIndex: number;
  readonly baseKey: Uint8Array;
  readonly senders: readonly GroupMember[];
  /** From the epoch authenticator, the same for every member of this epoch. */
  readonly securityCode: string;
}

/** A commit to send with group.commit; it takes effect only when the server fans it back. */
export interface OutgoingCommit {
  /** The epoch it is for: the group's current one when it was made. */
  readonly epoch: bigint;
  readonly commit: Uint8Array;
  /** For an Add: the Welcome, for the added invitees only. */
  readonly welcome?: Uint8Array;
  readonly welcomeTo: readonly string[];
}

export type CommitOutcome =
  | {
      readonly kind: 'epoch';
      readonly epoch: bigint;
      /** True when the commit was one of ours (the server's confirmation). */
      readonly own: boolean;
      /** True when commits of ours made for the old epoch were dropped: retry them if still needed. */
      readonly superseded: boolean;
    }
  | { readonly kind: 'removed' };

interface Pending {
  readonly bytes: Uint8Array;
  readonly state: ClientState;
}

function decodeHandshake(bytes: Uint8Array, what: string): NonNullable<ReturnType<typeof decodeMlsMessage>>[0] {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_HANDSHAKE_BYTES) {
    throw new GroupError('bad-message', `a ${what} is 1 to ${MAX_HANDSHAKE_BYTES} bytes`);
  }
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== bytes.length) throw new GroupError('bad-message', `the ${what} is not a well-formed MLS message`);
  return decoded[0];
}

function membersOf(state: ClientState): GroupMember[] {
  const members: GroupMember[] = [];
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (node?.nodeType !== 'leaf') return;
    const userId = userIdOf(node.leaf.credential);
    // Every leaf passed the pinned-key check, which refuses a credential that is not a user id.
    if (userId !== null) members.push({ index: nodeIndex / 2, userId });
  });
  return members;
}

function secretsOf(state: ClientState): Uint8Array[] {
  const schedule = state.keySchedule;
  return [
    schedule.senderDataSecret,
    schedule.exporterSecret,
    schedule.externalSecret,
    schedule.confirmationKey,
    schedule.membershipKey,
    schedule.resumptionPsk,
    schedule.epochAuthenticator,
    schedule.initSecret,
    state.signaturePrivateKey,
    ...Object.values(state.privatePath.privateKeys),
    // The previous epoch's, kept to open application messages sent across a commit.
    ...[...state.historicalReceiverData.values()].map((past) => past.senderDataSecret),
  ];
}

/**
 * Zeroes a state's secrets, except those `keep` still uses: ts-mls carries unchanged arrays (the
 * signature key, path keys no commit replaced) from one epoch's state into the next.
 */
function wipeState(state: ClientState, keep?: ClientState): void {
  const kept = new Set(keep === undefined ? [] : secretsOf(keep));
  for (const secret of secretsOf(state)) if (!kept.has(secret)) zeroOutUint8Array(secret);
}

/** The session's own copy, so that zeroing its state never touches a package the store still holds (the last-resort one). */
function copyPrivate(privatePackage: PrivateKeyPackage): PrivateKeyPackage {
  return {
    initPrivateKey: privatePackage.initPrivateKey.slice(),
    hpkePrivateKey: privatePackage.hpkePrivateKey.slice(),
    signaturePrivateKey: privatePackage.signaturePrivateKey.slice(),
  };
}

export class GroupSession {
  readonly groupId: string;
  readonly #self: LocalMember;
  readonly #pinnedKey: PinnedKeyLookup;
  readonly #authenticator: LeafAuthenticator;
  readonly #invites: InviteBook;
  #state: ClientState | undefined;
  #pending: Pending[] = [];
  /** Operations run one at a time: a commit must not be processed while another is being made. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: GroupSessionOptions, authenticator: LeafAuthenticator, invites: InviteBook) {
    this.groupId = options.groupId;
    this.#self = options.self;
    this.#pinnedKey = options.pinnedKey;
    this.#authenticator = authenticator;
    this.#invites = invites;
  }

  /** The owner starts the group alone (epoch 0), under its own signed invite. */
  static async create(options: GroupSessionOptions, invite: SignedGroupInvite): Promise<GroupSession> {
    if (options.self.userId !== options.owner) throw new GroupError('invalid-input', 'only the owner creates the group');
    const session = GroupSession.#blank(options);
    await session.#invites.accept(invite);
    const cs = await groupCipherSuite();
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      credentialFor(options.self.userId),
      defaultCapabilities(),
      defaultLifetime,
      [],
      signatureKeyPair(options.self.identity),
      cs,
    );
    session.#state = await session.#translate(() =>
      createGroup(utf8.encode(options.groupId), publicPackage, privatePackage, [], cs, session.#clientConfig()),
    );
    zeroOutUint8Array(privatePackage.initPrivateKey);
    return session;
  }

  /**
   * An invitee joins from the Welcome the server relayed. Every member in the Welcome's tree must
   * be under its pinned key and named by one of `invites` (or be the owner).
   */
  static async join(options: GroupSessionOptions, welcomeBytes: Uint8Array, keyPackages: KeyPackageStore, invites: readonly SignedGroupInvite[]): Promise<GroupSession> {
    const session = GroupSession.#blank(options);
    for (const invite of invites) await session.#invites.accept(invite);
    if (!session.#invites.allows(options.self.userId)) throw new GroupError('not-invited', 'no signed invite of this group names this user');
    const message = decodeHandshake(welcomeBytes, 'Welcome');
    if (message.wireformat !== 'mls_welcome') throw new GroupError('bad-message', 'the message is not a Welcome');
    if (message.welcome.cipherSuite !== GROUP_CIPHERSUITE) throw new GroupError('bad-message', 'the Welcome is for another ciphersuite');
    const held = keyPackages.find(message.welcome);
    const cs = await groupCipherSuite();
    const state = await session.#translate(() =>
      joinGroup(message.welcome, held.publicPackage, copyPrivate(held.privatePackage), emptyPskIndex, cs, undefined, undefined, session.#clientConfig()),
    );
    try {
      if (!constantTimeEqual(state.groupContext.groupId, utf8.encode(options.groupId))) {
        throw new GroupError('wrong-group', 'the Welcome is for another group');
      }
      for (const member of membersOf(state)) {
        if (!session.#invites.allows(member.userId)) throw new GroupError('not-invited', `the Welcome's group has ${member.userId}, whom no invite names`);
      }
    } catch (error) {
      wipeState(state);
      throw error;
    }
    held.consume();
    session.#state = state;
    return session;
  }

  static #blank(options: GroupSessionOptions): GroupSession {
    credentialFor(options.self.userId);
    credentialFor(options.owner);
    if (typeof options.groupId !== 'string' || options.groupId.length === 0) throw new GroupError('invalid-input', 'a group id is a non-empty string');
    // This device's own leaf is checked like every other, against its own identity key: the
    // contacts store need not list its own user.
    const ownKey = Uint8Array.from(options.self.identity.publicKey);
    const pinnedKey: PinnedKeyLookup = (userId) => (userId === options.self.userId ? ownKey : options.pinnedKey(userId));
    const withSelf = { ...options, pinnedKey };
    return new GroupSession(withSelf, new LeafAuthenticator(pinnedKey), new InviteBook(options.groupId, options.owner, pinnedKey));
  }

  get epoch(): bigint {
    return this.#current().groupContext.epoch;
  }

  get ownIndex(): number {
    return this.#current().privatePath.leafIndex;
  }

  get active(): boolean {
    return this.#state !== undefined;
  }

  members(): GroupMember[] {
    return membersOf(this.#current());
  }

  /** A later signed invite of the owner (someone added mid-call). */
  acceptInvite(invite: SignedGroupInvite): Promise<void> {
    return this.#run(() => this.#invites.accept(invite));
  }

  /** Adds invitees from the KeyPackages the server handed out for them (keys.fetch). */
  commitAdd(fetched: readonly { readonly userId: string; readonly keyPackage: Uint8Array }[]): Promise<OutgoingCommit> {
    return this.#run(async () => {
      if (fetched.length === 0) throw new GroupError('invalid-input', 'an Add names at least one user');
      const present = new Set(this.members().map((member) => member.userId));
      const proposals: Proposal[] = [];
      for (const { userId, keyPackage } of fetched) {
        if (!this.#invites.allows(userId)) throw new GroupError('not-invited', `no signed invite of this group names ${userId}`);
        if (present.has(userId)) throw new GroupError('invalid-input', `${userId} is already in the group`);
        present.add(userId);
        const opened: KeyPackage = await openFetchedKeyPackage(keyPackage, userId, this.#pinnedKey);
        proposals.push({ proposalType: 'add', add: { keyPackage: opened } });
      }
      return this.#commit(
        proposals,
        fetched.map((entry) => entry.userId),
      );
    });
  }

  /** Removes members who left or whom the owner removed. */
  commitRemove(userIds: readonly string[]): Promise<OutgoingCommit> {
    return this.#run(async () => {
      if (userIds.length === 0) throw new GroupError('invalid-input', 'a Remove names at least one user');
      const members = this.members();
      const proposals: Proposal[] = [];
      for (const userId of new Set(userIds)) {
        if (userId === this.#self.userId) throw new GroupError('invalid-input', 'a member does not remove itself; it leaves and another commits');
        const member = members.find((candidate) => candidate.userId === userId);
        if (member === undefined) throw new GroupError('invalid-input', `${userId} is not in the group`);
        proposals.push({ proposalType: 'remove', remove: { removed: member.index } });
      }
      return this.#commit(proposals, []);
    });
  }

  /**
   * A commit as the server fanned it out, in the server's order. Ours: adopted. Someone else's for
   * our epoch: verified and applied, and our pending ones are dropped. Any other epoch:
   * 'stale-epoch'. A refused commit leaves the group as it was.
   */
  handleCommit(bytes: Uint8Array): Promise<CommitOutcome> {
    return this.#run(async () => {
      const state = this.#current();
      const message = decodeHandshake(bytes, 'commit');
      if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'commit') {
        throw new GroupError('bad-message', 'a group commit is an encrypted MLS commit');
      }
      const { privateMessage } = message;
      if (!constantTimeEqual(privateMessage.groupId, state.groupContext.groupId)) throw new GroupError('wrong-group', 'the commit is for another group');
      if (privateMessage.epoch !== state.groupContext.epoch) {
        throw new GroupError('stale-epoch', `the commit is for epoch ${privateMessage.epoch}, the group is at ${state.groupContext.epoch}`);
      }
      const own = this.#pending.find((pending) => pending.bytes.length === bytes.length && constantTimeEqual(pending.bytes, bytes));
      if (own !== undefined) {
        this.#settle(own.state);
        return { kind: 'epoch', epoch: own.state.groupContext.epoch, own: true, superseded: false };
      }
      const cs = await groupCipherSuite();
      let refusal: { code: GroupErrorCode; message: string } | undefined;
      const check: IncomingMessageCallback = (incoming) => {
        if (incoming.kind !== 'commit') return 'reject';
        for (const { proposal } of incoming.proposals) {
          if (proposal.proposalType === 'remove') continue;
          if (proposal.proposalType !== 'add') {
            refusal = { code: 'unsupported-proposal', message: `a group call commit has no ${proposal.proposalType} proposal` };
            return 'reject';
          }
          const userId = userIdOf(proposal.add.keyPackage.leafNode.credential);
          if (userId === null || !this.#invites.allows(userId)) {
            refusal = { code: 'not-invited', message: `the commit adds ${userId ?? 'someone'}, whom no signed invite names` };
            return 'reject';
          }
        }
        return 'accept';
      };
      const result = await this.#translate(() => processMessage(message, state, emptyPskIndex, check, cs));
      if (refusal !== undefined) throw new GroupError(refusal.code, refusal.message);
      if (result.kind !== 'newState' || result.actionTaken !== 'accept') throw new GroupError('bad-message', 'the commit was not applied');
      const superseded = this.#pending.length > 0;
      if (result.newState.groupActiveState.kind === 'removedFromGroup') {
        this.#wipeAll();
        return { kind: 'removed' };
      }
      this.#settle(result.newState);
      return { kind: 'epoch', epoch: result.newState.groupContext.epoch, own: false, superseded };
    });
  }

  /**
   * An MLS application message to every member of this epoch (a member's state): encrypted and
   * signed by this leaf, so the server relaying it can neither read nor forge it.
   */
  sealApplication(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#run(async () => {
      const state = this.#current();
      const cs = await groupCipherSuite();
      const result = await this.#translate(() => createApplicationMessage(state, plaintext, cs));
      // Wiped meanwhile (the call ended): nothing to send, and the wiped state stays gone.
      if (this.#state !== state) throw new GroupError('not-member', 'this device left the group');
      // Only the secret tree moved on: nothing of the previous state is left to zero but what it consumed.
      this.#state = result.newState;
      for (const secret of result.consumed) zeroOutUint8Array(secret);
      return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: result.privateMessage });
    });
  }

  /**
   * Opens another member's application message of this epoch or the previous one (sent before a
   * commit it crossed): the plaintext, and the member MLS says signed it. Anything else is refused:
   * another group, an older epoch, a commit or proposal, a replay, a forgery.
   */
  openApplication(bytes: Uint8Array): Promise<{ readonly userId: string; readonly epoch: bigint; readonly plaintext: Uint8Array }> {
    return this.#run(async () => {
      const state = this.#current();
      const message = decodeHandshake(bytes, 'application message');
      if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'application') {
        throw new GroupError('bad-message', 'not an encrypted MLS application message');
      }
      const { privateMessage } = message;
      if (!constantTimeEqual(privateMessage.groupId, state.groupContext.groupId)) throw new GroupError('wrong-group', 'the message is for another group');
      const current = state.groupContext.epoch;
      const past = privateMessage.epoch === current - 1n ? state.historicalReceiverData.get(privateMessage.epoch) : undefined;
      const epochData = privateMessage.epoch === current ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree } : past;
      if (epochData === undefined) throw new GroupError('stale-epoch', `the message is for epoch ${privateMessage.epoch}, the group is at ${current}`);
      const cs = await groupCipherSuite();
      const result = await this.#translate(() => processMessage(message, state, emptyPskIndex, () => 'reject', cs));
      if (result.kind !== 'applicationMessage') throw new GroupError('bad-message', 'the message is not an application message');
      // processMessage checked the signature of the leaf the sender data names; that leaf is the sender.
      const senderData = await this.#translate(() => decryptSenderData(privateMessage, epochData.senderDataSecret, cs));
      const leaf = senderData === undefined ? undefined : epochData.ratchetTree[senderData.leafIndex * 2];
      const userId = leaf?.nodeType === 'leaf' ? userIdOf(leaf.leaf.credential) : null;
      if (userId === null) throw new GroupError('bad-message', 'the message names no member as its sender');
      // Wiped meanwhile (the call ended): the wiped state stays gone.
      if (this.#state !== state) throw new GroupError('not-member', 'this device left the group');
      this.#state = result.newState;
      for (const secret of result.consumed) zeroOutUint8Array(secret);
      return { userId, epoch: privateMessage.epoch, plaintext: result.message };
    });
  }

  /** This epoch's media keys and security code; the caller owns (and zeroes) `baseKey`. */
  epochKeys(): Promise<GroupEpochKeys> {
    return this.#run(async () => {
      const state = this.#current();
      const cs = await groupCipherSuite();
      const baseKey = await mlsExporter(state.keySchedule.exporterSecret, SFRAME_MLS_EXPORTER_LABEL, new Uint8Array(0), SFRAME_MLS_BASE_KEY_BYTES, cs);
      return {
        groupId: this.groupId,
        epoch: state.groupContext.epoch,
        ownIndex: state.privatePath.leafIndex,
        baseKey,
        senders: membersOf(state),
        securityCode: groupSecurityCode(state.keySchedule.epochAuthenticator),
      };
    });
  }

  /** Zeroes the group's secrets; the session opens and makes nothing afterwards. */
  wipe(): void {
    this.#wipeAll();
  }

  #wipeAll(): void {
    for (const pending of this.#pending) wipeState(pending.state);
    this.#pending = [];
    if (this.#state !== undefined) wipeState(this.#state);
    this.#state = undefined;
  }

  async #commit(proposals: Proposal[], welcomeTo: readonly string[]): Promise<OutgoingCommit> {
    const state = this.#current();
    const cs = await groupCipherSuite();
    const result = await this.#translate(() =>
      createCommit({ state, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: true }),
    );
    const commit = encodeMlsMessage(result.commit);
    this.#pending.push({ bytes: commit, state: result.newState });
    const welcome = result.welcome === undefined ? undefined : encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome });
    return { epoch: state.groupContext.epoch, commit, welcomeTo, ...(welcome === undefined ? {} : { welcome }) };
  }

  /** Moves to a new epoch: the old state and every pending commit's state are zeroed. */
  #settle(next: ClientState): void {
    for (const pending of this.#pending) if (pending.state !== next) wipeState(pending.state, next);
    this.#pending = [];
    if (this.#state !== undefined) wipeState(this.#state, next);
    this.#state = next;
  }

  #current(): ClientState {
    if (this.#state === undefined) throw new GroupError('not-member', 'this device is no longer in the group');
    return this.#state;
  }

  #clientConfig(): typeof defaultClientConfig {
    // Application messages (members' states) of the previous epoch are still opened, for those
    // sent across a commit; no older (with 0, ts-mls 1.6.4 keeps them all: slice(-0) is the whole list).
    const keyRetentionConfig = { ...defaultClientConfig.keyRetentionConfig, retainKeysForEpochs: 1 };
    return { ...defaultClientConfig, keyRetentionConfig, authService: this.#authenticator };
  }

  /** Runs a ts-mls step; a leaf refused by the pins becomes its own error, anything else 'bad-message'. */
  async #translate<T>(step: () => Promise<T>): Promise<T> {
    this.#authenticator.takeRefusal();
    try {
      return await step();
    } catch (error) {
      if (isGroupError(error)) throw error;
      const refusal = this.#authenticator.takeRefusal();
      if (refusal !== null) throw new GroupError(refusal.code, refusal.message);
      throw new GroupError('bad-message', `MLS refused the message: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
