import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { enrollUser, randomCallId, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess, type TestClient } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
const b64 = (length: number) => toBase64Url(new Uint8Array(length).fill(5));
const fingerprint = `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;
const reveal = { ephemeralKey: b64(32), fingerprint, signature: b64(64) };
const invite = (callId: string, to: string) => ({ v, type: 'call.invite', callId, to, media: { audio: true, video: true }, ake: { commitment: b64(32), signature: b64(64) } });

let server: ServerProcess;
let alice: EnrolledUser;
let bob: EnrolledUser;
let carol: EnrolledUser;

beforeAll(async () => {
  server = await startServerProcess();
  alice = await enrollUser(server, 'alice');
  bob = await enrollUser(server, 'bob');
  carol = await enrollUser(server, 'carol');
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

/** Puts a user back online with a fresh session, after a test that closed theirs. */
async function fresh(user: EnrolledUser): Promise<TestClient> {
  user.client = await signIn(server, user.userId, user.keys);
  return user.client;
}

describe('call relay', () => {
  it('relays the whole handshake to the target only, with the sender stamped by the server', async () => {
    const callId = randomCallId();
    alice.client.send({ ...invite(callId, 'bob'), id: 'req-1' });
    const received = await bob.client.next('call.invite');
    expect(received).toMatchObject({ callId, from: 'alice', media: { audio: true, video: true } });
    expect(received).not.toHaveProperty('to');
    expect(received).not.toHaveProperty('id');
    expect(await carol.client.nothing('call.invite')).toBe(true);

    bob.client.send({ v, type: 'call.ringing', callId, to: 'alice' });
    expect(await alice.client.next('call.ringing')).toMatchObject({ callId, from: 'bob' });
    bob.client.send({ v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: false }, ake: reveal });
    expect(await alice.client.next('call.accept')).toMatchObject({ callId, from: 'bob', ake: reveal });
    alice.client.send({ v, type: 'call.confirm', callId, to: 'bob', ake: reveal });
    expect(await bob.client.next('call.confirm')).toMatchObject({ callId, from: 'alice', ake: reveal });
    alice.client.send({ v, type: 'call.signal', callId, to: 'bob', data: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(await bob.client.next('call.signal')).toMatchObject({ from: 'alice', data: { type: 'offer', sdp: 'v=0\r\n' } });
    bob.client.send({ v, type: 'call.signal', callId, to: 'alice', data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } } });
    expect(await alice.client.next('call.signal')).toMatchObject({ from: 'bob' });

    // An accepted call does not time out.
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect(alice.client.received.some((m) => m.type === 'call.ended')).toBe(false);
    bob.client.send({ v, type: 'call.hangup', callId, to: 'alice', reason: 'hangup' });
    expect(await alice.client.next('call.hangup')).toMatchObject({ callId, from: 'bob', reason: 'hangup' });
    expect(await carol.client.nothing('call.hangup', 100)).toBe(true);
  });

  it('cannot be told who the sender is', async () => {
    alice.client.send({ ...invite(randomCallId(), 'bob'), from: 'carol' });
    expect((await alice.client.error('bad-message')).message).toMatch(/from|Unrecognized/i);
    expect(await bob.client.nothing('call.invite', 200)).toBe(true);
  });

  it('refuses a target that does not exist, or is offline', async () => {
    const callId = randomCallId();
    alice.client.send({ ...invite(callId, 'nobody'), id: 'x' });
    expect(await alice.client.error('unknown-user')).toMatchObject({ ref: 'x', callId });
    await alice.client.subscribe(['carol']);
    carol.client.close();
    await carol.client.closed;
    await alice.client.next('presence', (m) => m.userId === 'carol' && m.presence === 'offline');
    alice.client.send(invite(randomCallId(), 'carol'));
    expect((await alice.client.error('user-offline')).code).toBe('user-offline');
    await fresh(carol);
  });

  it('answers busy for a user already in a call, without disturbing them', async () => {
    const first = randomCallId();
    alice.client.send(invite(first, 'bob'));
    await bob.client.next('call.invite');
    const second = randomCallId();
    carol.client.send(invite(second, 'bob'));
    expect(await carol.client.next('call.busy')).toMatchObject({ callId: second, from: 'bob' });
    expect(await bob.client.nothing('call.invite', 200)).toBe(true);
    alice.client.send({ v, type: 'call.cancel', callId: first, to: 'bob' });
    expect(await bob.client.next('call.cancel')).toMatchObject({ callId: first, from: 'alice' });
  });

  it('times out an unanswered invite and tells both sides', async () => {
    const callId = randomCallId();
    alice.client.send(invite(callId, 'bob'));
    await bob.client.next('call.invite');
    const started = Date.now();
    expect(await alice.client.next('call.ended', () => true, 5000)).toMatchObject({ callId, reason: 'timeout' });
    expect(await bob.client.next('call.ended')).toMatchObject({ callId, reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThan(1000);
    bob.client.send({ v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: reveal });
    expect((await bob.client.error('not-in-call')).callId).toBe(callId);
  });

  it('passes a decline and frees both parties', async () => {
    const callId = randomCallId();
    alice.client.send(invite(callId, 'bob'));
    await bob.client.next('call.invite');
    bob.client.send({ v, type: 'call.decline', callId, to: 'alice', reason: 'declined' });
    expect(await alice.client.next('call.decline')).toMatchObject({ callId, reason: 'declined' });
    const next = randomCallId();
    carol.client.send(invite(next, 'bob'));
    expect(await bob.client.next('call.invite')).toMatchObject({ callId: next, from: 'carol' });
    carol.client.send({ v, type: 'call.cancel', callId: next, to: 'bob' });
    await bob.client.next('call.cancel');
  });

  it('refuses messages about a call from outsiders, to the wrong party, or out of turn', async () => {
    const callId = randomCallId();
    alice.client.send(invite(callId, 'bob'));
    await bob.client.next('call.invite');
    carol.client.send({ v, type: 'call.hangup', callId, to: 'bob', reason: 'hangup' });
    expect((await carol.client.error('not-in-call')).callId).toBe(callId);
    bob.client.send({ v, type: 'call.signal', callId, to: 'carol', data: { renegotiate: true } });
    expect((await bob.client.error('not-in-call')).message).toMatch(/with 'alice'/);
    alice.client.send({ v, type: 'call.accept', callId, to: 'bob', media: { audio: true, video: true }, ake: reveal });
    expect((await alice.client.error('not-in-call')).message).toMatch(/caller/);
    alice.client.send(invite(randomCallId(), 'carol'));
    expect((await alice.client.error('bad-message')).message).toMatch(/already in a call/);
    alice.client.send(invite(callId, 'carol'));
    await alice.client.error('bad-message');
    alice.client.send({ v, type: 'call.cancel', callId, to: 'bob' });
    await bob.client.next('call.cancel');
  });

  it('ends the call and tells the peer when a party disconnects and is not back within the grace', async () => {
    const callId = randomCallId();
    alice.client.send(invite(callId, 'bob'));
    await bob.client.next('call.invite');
    bob.client.send({ v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: reveal });
    await alice.client.next('call.accept');
    alice.client.ws.terminate();
    expect(await bob.client.next('call.ended')).toMatchObject({ callId, reason: 'peer-disconnected' });
    await fresh(alice);
    // Both are free again.
    const next = randomCallId();
    bob.client.send(invite(next, 'alice'));
    expect(await alice.client.next('call.invite')).toMatchObject({ callId: next, from: 'bob' });
    bob.client.send({ v, type: 'call.cancel', callId: next, to: 'alice' });
    await alice.client.next('call.cancel');
  });

  it('refuses calling yourself', async () => {
    alice.client.send(invite(randomCallId(), 'alice'));
    expect((await alice.client.error('bad-message')).message).toMatch(/yourself/);
  });
});
