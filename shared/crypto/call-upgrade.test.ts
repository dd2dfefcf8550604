import { describe, expect, it } from 'vitest';
import { answerCall, finishAsCallee, finishAsCaller, startCall } from './handshake';
import { callUpgradeKey, callUpgradeTag, type UpgradeBinding } from './call-upgrade';
import { signGroupInvite, verifyGroupInvite, type GroupInvite } from './group-invite';
import { generateIdentityKeyPair } from './identity';
import { expectRejects } from './expect-rejects.fixture';
import { toHex } from './bytes';

const FINGERPRINT = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;

/** A real handshake between two identities: both ends' keys, as each holds them. */
async function call(callId: string) {
  const alice = await generateIdentityKeyPair();
  const bob = await generateIdentityKeyPair();
  const media = { audio: true, video: false };
  const started = await startCall({ callId, self: { id: 'alice', identity: alice }, peer: { id: 'bob', identityKey: bob.publicKey }, fingerprint: FINGERPRINT('AA'), media });
  const answered = await answerCall({ callId, self: { id: 'bob', identity: bob }, peer: { id: 'alice', identityKey: alice.publicKey }, fingerprint: FINGERPRINT('BB'), media, invite: started.invite });
  const caller = await finishAsCaller(started.state, answered.accept);
  const callee = await finishAsCallee(answered.state, caller.confirm);
  return { caller: caller.keys, callee, alice };
}

describe('call upgrade tags', () => {
  it('both ends of a call derive the same key; another call gives another', async () => {
    const one = await call('call-one-00000000000000');
    const atCaller = await callUpgradeKey({ callerToCallee: one.caller.sendKey, calleeToCaller: one.caller.receiveKey, transcriptHash: one.caller.transcriptHash });
    const atCallee = await callUpgradeKey({ callerToCallee: one.callee.receiveKey, calleeToCaller: one.callee.sendKey, transcriptHash: one.callee.transcriptHash });
    expect(toHex(atCaller)).toBe(toHex(atCallee));
    // Nothing of the media keys themselves.
    expect(toHex(atCaller)).not.toBe(toHex(one.caller.sendKey));
    const two = await call('call-two-00000000000000');
    const other = await callUpgradeKey({ callerToCallee: two.caller.sendKey, calleeToCaller: two.caller.receiveKey, transcriptHash: two.caller.transcriptHash });
    expect(toHex(other)).not.toBe(toHex(atCaller));
  });

  it('binds the call, the group, the owner and the peer', async () => {
    const key = new Uint8Array(32).fill(7);
    const binding: UpgradeBinding = { callId: 'c', groupId: 'g', owner: 'alice', peer: 'bob' };
    const tag = toHex(await callUpgradeTag(key, binding));
    for (const changed of [{ callId: 'c2' }, { groupId: 'g2' }, { owner: 'carol' }, { peer: 'carol' }]) {
      expect(toHex(await callUpgradeTag(key, { ...binding, ...changed }))).not.toBe(tag);
    }
    expect(toHex(await callUpgradeTag(new Uint8Array(32).fill(8), binding))).not.toBe(tag);
  });

  it("is signed with the invite: changing it breaks the owner's signature", async () => {
    const owner = await generateIdentityKeyPair();
    const invite: GroupInvite = { groupId: 'g-1', owner: 'alice', invitees: ['bob', 'carol'], media: 'audio', issuedAt: 1, upgrade: { callId: 'call-1', tag: new Uint8Array(32).fill(1) } };
    const signature = await signGroupInvite(owner.secretKey, invite);
    expect(await verifyGroupInvite(owner.publicKey, invite, signature)).toBe(true);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, upgrade: { callId: 'call-2', tag: new Uint8Array(32).fill(1) } }, signature)).toBe(false);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, upgrade: { callId: 'call-1', tag: new Uint8Array(32).fill(2) } }, signature)).toBe(false);
    const { upgrade: _dropped, ...plain } = invite;
    expect(await verifyGroupInvite(owner.publicKey, plain, signature)).toBe(false);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, upgrade: { callId: 'call-1', tag: new Uint8Array(31) } }, signature)).toBe(false);
  });

  it('refuses a key of the wrong size', async () => {
    await expectRejects(callUpgradeTag(new Uint8Array(16), { callId: 'c', groupId: 'g', owner: 'a', peer: 'b' }), 'invalid-input');
  });
});
