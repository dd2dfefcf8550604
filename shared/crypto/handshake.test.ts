import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFields, toHex, utf8Bytes } from './bytes';
import { isCryptoError, type CryptoErrorCode } from './errors';
import {
  answerCall,
  checkInvite,
  finishAsCallee,
  finishAsCaller,
  formatShortCode,
  startCall,
  type AcceptAke,
  type ConfirmAke,
  type InviteAke,
  type LocalParty,
} from './handshake';
import { generateIdentityKeyPair, serializeIdentityKey, signAs } from './identity';
import { loadSodium } from './sodium';

const FP_ALICE = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const FP_BOB = `sha-256 ${Array.from({ length: 32 }, (_, i) => (255 - i).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;

const AV = { audio: true, video: true };

let alice: LocalParty;
let bob: LocalParty;
let mallory: LocalParty;

beforeAll(async () => {
  await loadSodium();
  alice = { id: 'alice@example.com', identity: await generateIdentityKeyPair() };
  bob = { id: 'bob@example.com', identity: await generateIdentityKeyPair() };
  mallory = { id: 'mallory@example.com', identity: await generateIdentityKeyPair() };
});

const pub = (party: LocalParty) => ({ id: party.id, identityKey: party.identity.publicKey });

async function handshake(callId = 'call-1', caller = alice, callee = bob) {
  const { invite, state: callerState } = await startCall({ callId, self: caller, peer: pub(callee), media: AV, fingerprint: FP_ALICE });
  const { accept, state: calleeState } = await answerCall({ callId, self: callee, peer: pub(caller), media: AV, fingerprint: FP_BOB, invite });
  const { confirm, keys: callerKeys } = await finishAsCaller(callerState, accept);
  const calleeKeys = await finishAsCallee(calleeState, confirm);
  return { invite, accept, confirm, callerKeys, calleeKeys };
}

async function expectCode(promise: Promise<unknown>, code: CryptoErrorCode): Promise<void> {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  if (!isCryptoError(outcome, code)) throw new Error(`expected CryptoError ${code}, got ${String(outcome)}`);
}

function flipBit(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index % copy.length] = (copy[index % copy.length] ?? 0) ^ 0x01;
  return copy;
}

describe('call handshake', () => {
  it('gives both sides the same directional keys, short code and each other’s fingerprint', async () => {
    const { callerKeys, calleeKeys } = await handshake();
    expect(toHex(callerKeys.sendKey)).toBe(toHex(calleeKeys.receiveKey));
    expect(toHex(callerKeys.receiveKey)).toBe(toHex(calleeKeys.sendKey));
    expect(toHex(callerKeys.sendKey)).not.toBe(toHex(callerKeys.receiveKey));
    expect(callerKeys.sendKey).toHaveLength(32);
    expect(callerKeys.shortCode).toMatch(/^\d{12}$/);
    expect(callerKeys.shortCode).toBe(calleeKeys.shortCode);
    expect(callerKeys.remoteFingerprint).toBe(FP_BOB);
    expect(calleeKeys.remoteFingerprint).toBe(FP_ALICE);
  });

  it('agrees for any call id, user ids and fingerprint spelling', async () => {
    const hexByte = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).padStart(2, '0'));
    const fingerprint = fc.array(hexByte, { minLength: 32, maxLength: 32 }).map((bytes) => `sha-256 ${bytes.join(':')}`);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fingerprint,
        fingerprint,
        async (callId, callerId, calleeId, fpCaller, fpCallee) => {
          fc.pre(callerId !== calleeId);
          const caller = { ...alice, id: callerId };
          const callee = { ...bob, id: calleeId };
          const started = await startCall({ callId, self: caller, peer: pub(callee), media: AV, fingerprint: fpCaller });
          const answered = await answerCall({ callId, self: callee, peer: pub(caller), media: AV, fingerprint: fpCallee, invite: started.invite });
          const finished = await finishAsCaller(started.state, answered.accept);
          const calleeKeys = await finishAsCallee(answered.state, finished.confirm);
          expect(toHex(finished.keys.sendKey)).toBe(toHex(calleeKeys.receiveKey));
          expect(toHex(finished.keys.receiveKey)).toBe(toHex(calleeKeys.sendKey));
          expect(finished.keys.shortCode).toBe(calleeKeys.shortCode);
          expect(finished.keys.remoteFingerprint).toBe(fpCallee.toUpperCase().replace('SHA-256', 'sha-256'));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never gives two calls the same keys or short code, even with the same call id', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { callerKeys } = await handshake('same-call-id');
      for (const value of [toHex(callerKeys.sendKey), toHex(callerKeys.receiveKey), callerKeys.shortCode]) {
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      }
    }
  });

  describe('rejects a changed field with a typed error', () => {
    const inviteFields: ('commitment' | 'signature')[] = ['commitment', 'signature'];
    for (const field of inviteFields) {
      it(`invite.${field}`, async () => {
        const { invite } = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
        const tampered = { ...invite, [field]: flipBit(invite[field], 5) };
        await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: tampered }), 'handshake-bad-signature');
      });
    }

    // A server that turns a video call into audio (or back) on the way: both flags, both ways.
    const flips: [string, (media: InviteAke['media']) => InviteAke['media']][] = [
      ['audio', (m) => ({ ...m, audio: !m.audio })],
      ['video', (m) => ({ ...m, video: !m.video })],
    ];
    for (const [flag, flip] of flips) {
      it(`invite.media.${flag}`, async () => {
        const { invite } = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
        const tampered = { ...invite, media: flip(invite.media) };
        await expectCode(checkInvite({ callId: 'c', self: pub(bob), peer: pub(alice), invite: tampered }), 'handshake-bad-signature');
        await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: tampered }), 'handshake-bad-signature');
      });
    }

    const acceptCases: [string, (accept: AcceptAke) => AcceptAke][] = [
      ['media.audio', (a) => ({ ...a, media: { ...a.media, audio: !a.media.audio } })],
      ['media.video', (a) => ({ ...a, media: { ...a.media, video: !a.media.video } })],
      ['ephemeralKey', (a) => ({ ...a, ephemeralKey: flipBit(a.ephemeralKey, 3) })],
      ['fingerprint', (a) => ({ ...a, fingerprint: FP_ALICE })],
      ['signature', (a) => ({ ...a, signature: flipBit(a.signature, 9) })],
    ];
    for (const [field, tamper] of acceptCases) {
      it(`accept.${field}`, async () => {
        const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
        const { accept } = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: started.invite });
        await expectCode(finishAsCaller(started.state, tamper(accept)), 'handshake-bad-signature');
      });
    }

    const confirmCases: [string, (confirm: ConfirmAke) => ConfirmAke, CryptoErrorCode][] = [
      ['ephemeralKey', (c) => ({ ...c, ephemeralKey: flipBit(c.ephemeralKey, 3) }), 'handshake-bad-commitment'],
      ['fingerprint', (c) => ({ ...c, fingerprint: FP_BOB }), 'handshake-bad-commitment'],
      ['signature', (c) => ({ ...c, signature: flipBit(c.signature, 9) }), 'handshake-bad-signature'],
    ];
    for (const [field, tamper, code] of confirmCases) {
      it(`confirm.${field}`, async () => {
        const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
        const answered = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: started.invite });
        const { confirm } = await finishAsCaller(started.state, answered.accept);
        await expectCode(finishAsCallee(answered.state, tamper(confirm)), code);
      });
    }
  });

  it('checks an invite before ringing, with the same verdicts as answering it', async () => {
    const { invite } = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    await expect(checkInvite({ callId: 'c', self: pub(bob), peer: pub(alice), invite })).resolves.toBeUndefined();
    await expectCode(checkInvite({ callId: 'other', self: pub(bob), peer: pub(alice), invite }), 'handshake-bad-signature');
    await expectCode(checkInvite({ callId: 'c', self: pub(bob), peer: pub(mallory), invite }), 'handshake-bad-signature');
  });

  it('rejects an invite replayed under another call id', async () => {
    const { invite } = await startCall({ callId: 'call-A', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    await expectCode(answerCall({ callId: 'call-B', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite }), 'handshake-bad-signature');
  });

  it('rejects an invite meant for someone else', async () => {
    const { invite } = await startCall({ callId: 'c', self: alice, peer: pub(mallory), media: AV, fingerprint: FP_ALICE });
    await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite }), 'handshake-bad-signature');
  });

  it('rejects an invite signed by a key other than the pinned one', async () => {
    // Mallory claims Alice's id: the server could stamp any sender id, but not forge her key.
    const impostor = { id: alice.id, identity: mallory.identity };
    const { invite } = await startCall({ callId: 'c', self: impostor, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite }), 'handshake-bad-signature');
  });

  it('rejects an accept signed by a key other than the pinned one', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    const sodium = await loadSodium();
    const forged = await forgeAccept(started.invite, sodium.crypto_kx_keypair().publicKey, mallory.identity.secretKey);
    await expectCode(finishAsCaller(started.state, forged), 'handshake-bad-signature');
  });

  it('rejects swapped roles: an invite reflected back to its sender, and an accept used as a confirm', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    await expectCode(
      answerCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE, invite: started.invite }),
      'handshake-bad-signature',
    );
    const answered = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: started.invite });
    await expectCode(finishAsCallee(answered.state, answered.accept), 'handshake-bad-commitment');
  });

  it('rejects a signature made for another purpose', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    const answered = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: started.invite });
    // Bob's accept signature, re-made under the invite domain, must not pass as an accept.
    const wrongDomain = await signAs(bob.identity.secretKey, 'call-invite', encodeFields([utf8Bytes('anything')]));
    await expectCode(finishAsCaller(started.state, { ...answered.accept, signature: wrongDomain }), 'handshake-bad-signature');
  });

  it('rejects a low-order ephemeral key even when it is properly signed', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    // Re-sign an accept carrying the all-zero point with Bob's real key, as a malicious Bob could.
    const forged = await forgeAccept(started.invite, new Uint8Array(32), bob.identity.secretKey);
    await expectCode(finishAsCaller(started.state, forged), 'handshake-bad-message');
  });

  it('refuses to finish the same handshake twice', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    const answered = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: started.invite });
    await finishAsCaller(started.state, answered.accept);
    await expectCode(finishAsCaller(started.state, answered.accept), 'handshake-bad-message');
  });

  it('rejects malformed input with typed errors', async () => {
    await expectCode(startCall({ callId: '', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE }), 'handshake-bad-message');
    await expectCode(startCall({ callId: 'c', self: alice, peer: pub(alice), media: AV, fingerprint: FP_ALICE }), 'handshake-bad-message');
    await expectCode(startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: 'md5 00:11' }), 'handshake-bad-message');
    await expectCode(
      startCall({ callId: 'c', self: alice, peer: { id: bob.id, identityKey: new Uint8Array(31) }, media: AV, fingerprint: FP_ALICE }),
      'handshake-bad-message',
    );
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    const shortInvite = { media: AV, commitment: new Uint8Array(3), signature: started.invite.signature };
    await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: shortInvite }), 'handshake-bad-message');
    const notBytes = { media: AV, commitment: 'x', signature: started.invite.signature } as unknown as InviteAke;
    await expectCode(answerCall({ callId: 'c', self: bob, peer: pub(alice), media: AV, fingerprint: FP_BOB, invite: notBytes }), 'handshake-bad-message');
  });

  it('signs each side’s own media request: an audio-only answer to a video call agrees on both sides', async () => {
    const started = await startCall({ callId: 'c', self: alice, peer: pub(bob), media: AV, fingerprint: FP_ALICE });
    const audioOnly = { audio: true, video: false };
    const answered = await answerCall({ callId: 'c', self: bob, peer: pub(alice), media: audioOnly, fingerprint: FP_BOB, invite: started.invite });
    expect(answered.accept.media).toEqual(audioOnly);
    const { confirm, keys } = await finishAsCaller(started.state, answered.accept);
    expect((await finishAsCallee(answered.state, confirm)).shortCode).toBe(keys.shortCode);
    const malformed = { ...started.invite, media: { audio: 'yes', video: false } } as unknown as InviteAke;
    await expectCode(checkInvite({ callId: 'c', self: pub(bob), peer: pub(alice), invite: malformed }), 'handshake-bad-message');
  });

  it('formats the short code as three groups of four', () => {
    expect(formatShortCode('123456789012')).toBe('1234 5678 9012');
    expect(() => formatShortCode('12345')).toThrow(/12 digits/);
  });
});

/** Builds an accept in Bob's name for any ephemeral key and signing key, laid out as answerCall signs it. */
async function forgeAccept(invite: InviteAke, ephemeralKey: Uint8Array, signingKey: Uint8Array): Promise<AcceptAke> {
  const fields = [
    utf8Bytes('sealcall/v1/call-ake'),
    utf8Bytes('c'),
    utf8Bytes(alice.id),
    utf8Bytes(bob.id),
    serializeIdentityKey(alice.identity.publicKey),
    serializeIdentityKey(bob.identity.publicKey),
    Uint8Array.of(invite.media.audio ? 1 : 0, invite.media.video ? 1 : 0),
    invite.commitment,
    invite.signature,
    Uint8Array.of(1, 1),
    ephemeralKey,
    utf8Bytes(FP_BOB),
  ];
  const signature = await signAs(signingKey, 'call-accept', encodeFields(fields));
  return { media: AV, ephemeralKey, fingerprint: FP_BOB, signature };
}
