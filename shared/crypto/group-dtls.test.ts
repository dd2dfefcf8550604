import { beforeAll, describe, expect, it } from 'vitest';
import { signGroupDtls, verifyGroupDtls, type GroupDtlsBinding } from './group-dtls';
import { generateIdentityKeyPair, signAs, verifyAs, type IdentityKeyPair } from './identity';

const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;

let alice: IdentityKeyPair;
let mallory: IdentityKeyPair;

beforeAll(async () => {
  alice = await generateIdentityKeyPair();
  mallory = await generateIdentityKeyPair();
});

describe('the per-pair DTLS binding of a group call', () => {
  const binding: GroupDtlsBinding = { groupId: 'g'.repeat(22), peer: 'bob', fingerprint: FP('AB') };

  it('verifies for exactly the group, the peer and the fingerprint it was signed for', async () => {
    const signature = await signGroupDtls(alice.secretKey, binding);
    expect(await verifyGroupDtls(alice.publicKey, binding, signature)).toBe(true);
    // The same certificate in another spelling is the same binding.
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, fingerprint: FP('ab') }, signature)).toBe(true);
    expect(await verifyGroupDtls(mallory.publicKey, binding, signature)).toBe(false);
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, peer: 'carol' }, signature)).toBe(false);
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, groupId: 'h'.repeat(22) }, signature)).toBe(false);
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, fingerprint: FP('AC') }, signature)).toBe(false);
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, fingerprint: 'sha-256 AB' }, signature)).toBe(false);
  });

  it('is its own signature domain: a signature made for anything else does not bind', async () => {
    const signature = await signGroupDtls(alice.secretKey, binding);
    // Length-prefixed fields: the group id cannot run into the peer's id.
    expect(await verifyGroupDtls(alice.publicKey, { ...binding, groupId: `${binding.groupId}b`, peer: 'ob' }, signature)).toBe(false);
    const message = new TextEncoder().encode('x');
    const other = await signAs(alice.secretKey, 'group-invite', message);
    expect(await verifyAs(alice.publicKey, 'group-dtls', message, other)).toBe(false);
  });
});
