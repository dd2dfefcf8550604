/**
 * This device's MLS KeyPackages: a batch of one-time ones and one last-resort one, published on
 * login (keys.publish replaces the user's set on the server). Their private keys live in memory
 * only, never at rest: a restart makes and publishes a new batch, and the old ones die with the
 * process (docs/group-calls.md).
 */
import {
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  zeroOutUint8Array,
  type KeyPackage,
  type PrivateKeyPackage,
  type Welcome,
} from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { constantTimeEqual } from '../../../shared/crypto/bytes';
import { GroupError } from './group-error';
import { checkLeaf, credentialFor, signatureKeyPair, userIdOf, type LocalMember, type PinnedKeyLookup } from './member-binding';
import { GROUP_CIPHERSUITE, groupCipherSuite } from './mls-suite';

export const DEFAULT_KEY_PACKAGE_BATCH = 10;
const MAX_KEY_PACKAGE_BATCH = 100;
/** Far above a real KeyPackage (about 300 bytes), so a hostile one cannot make us parse megabytes. */
export const MAX_KEY_PACKAGE_BYTES = 4096;
/** Earlier batches kept for a join in progress; a link that flaps more often than this loses the oldest. */
const MAX_KEPT_BATCHES = 3;

interface HeldPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
  readonly ref: Uint8Array;
  readonly lastResort: boolean;
}

/** What keys.publish sends: encoded MLSMessages of wireformat mls_key_package. */
export interface PublishedKeyPackages {
  readonly oneTime: Uint8Array[];
  readonly lastResort: Uint8Array;
}

/** A KeyPackage opened for a Welcome; `consume` is called once the join succeeded. */
export interface HeldKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
  consume(): void;
}

function wipePrivate(privatePackage: PrivateKeyPackage): void {
  zeroOutUint8Array(privatePackage.initPrivateKey);
  zeroOutUint8Array(privatePackage.hpkePrivateKey);
  zeroOutUint8Array(privatePackage.signaturePrivateKey);
}

function wipeBatch(batch: readonly HeldPackage[]): void {
  for (const held of batch) wipePrivate(held.privatePackage);
}

export class KeyPackageStore {
  readonly #self: LocalMember;
  #held: HeldPackage[] = [];
  /**
   * Batches replaced while a join was in progress, newest first: a Welcome on its way may be for
   * one of them (the committer fetched it before the reconnect).
   */
  #kept: HeldPackage[][] = [];

  constructor(self: LocalMember) {
    credentialFor(self.userId);
    this.#self = self;
  }

  get userId(): string {
    return this.#self.userId;
  }

  /** How many one-time packages are still unused (for the tests and for topping up). */
  get oneTimeCount(): number {
    return this.#held.filter((held) => !held.lastResort).length;
  }

  /**
   * Makes a new set, replacing every package held before: publish the result. The old ones are
   * zeroed, unless `keepPrevious` (a join is in progress): then they still open a Welcome until
   * `dropKept`.
   */
  async generateBatch(count: number = DEFAULT_KEY_PACKAGE_BATCH, keepPrevious = false): Promise<PublishedKeyPackages> {
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_KEY_PACKAGE_BATCH) {
      throw new GroupError('invalid-input', `a KeyPackage batch has 1 to ${MAX_KEY_PACKAGE_BATCH} packages`);
    }
    const fresh: HeldPackage[] = [];
    for (let i = 0; i <= count; i++) fresh.push(await this.#make(i === count));
    if (keepPrevious) {
      this.#kept.unshift(this.#held);
      for (const batch of this.#kept.splice(MAX_KEPT_BATCHES)) wipeBatch(batch);
    } else {
      this.wipe();
    }
    this.#held = fresh;
    const encode = (held: HeldPackage) => encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: held.publicPackage });
    const lastResort = fresh[count];
    if (lastResort === undefined) throw new GroupError('invalid-input', 'no last-resort KeyPackage was made');
    return { oneTime: fresh.slice(0, count).map(encode), lastResort: encode(lastResort) };
  }

  /** The held package a Welcome is addressed to, or a 'no-key-package' error. */
  find(welcome: Welcome): HeldKeyPackage {
    for (const held of [...this.#held, ...this.#kept.flat()]) {
      if (welcome.secrets.some((secret) => secret.newMember.length === held.ref.length && constantTimeEqual(secret.newMember, held.ref))) {
        return {
          publicPackage: held.publicPackage,
          privatePackage: held.privatePackage,
          // A one-time package opens one Welcome: afterwards its init key is gone.
          consume: () => {
            if (held.lastResort) return;
            this.#held = this.#held.filter((other) => other !== held);
            this.#kept = this.#kept.map((batch) => batch.filter((other) => other !== held));
            zeroOutUint8Array(held.privatePackage.initPrivateKey);
          },
        };
      }
    }
    throw new GroupError('no-key-package', 'the Welcome is for none of the KeyPackages this device published');
  }

  /** Earlier batches kept: how many (for the tests). */
  get keptBatches(): number {
    return this.#kept.length;
  }

  /** The join they were kept for settled: the earlier batches' private halves are zeroed. */
  dropKept(): void {
    for (const batch of this.#kept) wipeBatch(batch);
    this.#kept = [];
  }

  wipe(): void {
    wipeBatch(this.#held);
    this.#held = [];
    this.dropKept();
  }

  async #make(lastResort: boolean): Promise<HeldPackage> {
    const cs = await groupCipherSuite();
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      credentialFor(this.#self.userId),
      defaultCapabilities(),
      defaultLifetime,
      [],
      signatureKeyPair(this.#self.identity),
      cs,
    );
    return { publicPackage, privatePackage, ref: await makeKeyPackageRef(publicPackage, cs.hash), lastResort };
  }
}

/**
 * A KeyPackage fetched from the server for `userId`, checked before it goes into an Add: well
 * formed, our ciphersuite, self-signed, for that user, under the key pinned for that user.
 */
export async function openFetchedKeyPackage(encoded: Uint8Array, userId: string, pinnedKey: PinnedKeyLookup): Promise<KeyPackage> {
  if (!(encoded instanceof Uint8Array) || encoded.length > MAX_KEY_PACKAGE_BYTES) {
    throw new GroupError('bad-message', `a KeyPackage is at most ${MAX_KEY_PACKAGE_BYTES} bytes`);
  }
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(encoded, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== encoded.length || decoded[0].wireformat !== 'mls_key_package') {
    throw new GroupError('bad-message', `${userId}'s KeyPackage is not a well-formed MLS KeyPackage`);
  }
  const keyPackage = decoded[0].keyPackage;
  if (keyPackage.cipherSuite !== GROUP_CIPHERSUITE) throw new GroupError('bad-message', `${userId}'s KeyPackage is for another ciphersuite`);
  const cs = await groupCipherSuite();
  if (!(await verifyKeyPackage(keyPackage, cs.signature))) throw new GroupError('bad-message', `${userId}'s KeyPackage signature does not verify`);
  if (userIdOf(keyPackage.leafNode.credential) !== userId) {
    throw new GroupError('member-key-mismatch', `the KeyPackage fetched for ${userId} names someone else`);
  }
  const refusal = await checkLeaf(keyPackage.leafNode.credential, keyPackage.leafNode.signaturePublicKey, pinnedKey);
  if (refusal !== null) throw new GroupError(refusal.code, refusal.message);
  return keyPackage;
}
