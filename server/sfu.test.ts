import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION, type ServerMessage } from '../shared/protocol';
import { JanusApi } from './sfu/janus-api';
import { janusMissingReason, startJanus, type JanusProcess } from './test-support/janus.fixture';
import { joinRoom } from './test-support/janus-client.fixture';
import { TestClient, enrollUser, randomCallId, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';
import { groupOverClients } from './test-support/group-clients.fixture';

/*
 * Seats in a group call's SFU room through the real server, with a real Janus (Debian's, from
 * deploy/janus/) on loopback: who gets a seat, that Janus itself takes the seat's tokens and
 * refuses everyone else, and that the server kicks a member out of the room when it leaves the
 * call and destroys the room when the call ends.
 */

const v = PROTOCOL_VERSION;
const bytes = (length: number, fill: number) => toBase64Url(new Uint8Array(length).fill(fill));
const signed = { invite: bytes(200, 1), signature: bytes(64, 2) };
const media = { audio: true, video: true };
type Seat = Extract<ServerMessage, { type: 'sfu.seat' }>;

const missing = janusMissingReason();

describe.skipIf(missing !== undefined)(`meetings over a real Janus${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let api: JanusApi;
  let server: ServerProcess;
  let alice: EnrolledUser;
  let bob: EnrolledUser;
  let carol: EnrolledUser;
  let eve: EnrolledUser;

  async function publish(user: EnrolledUser, seed: number): Promise<void> {
    user.client.send({ v, type: 'keys.publish', packages: [bytes(300, seed)], lastResort: bytes(300, seed + 9) });
    await user.client.next('keys.published');
  }

  /** Alice's group with `joiners` in it and `pending` only invited. */
  async function groupOf(joiners: EnrolledUser[], pending: EnrolledUser[] = []): Promise<string> {
    return (await groupOverClients(alice, joiners, pending)).groupId;
  }

  async function seatFor(user: EnrolledUser, groupId: string): Promise<Seat> {
    user.client.send({ v, type: 'sfu.join', id: 's1', groupId });
    return user.client.next('sfu.seat', (m) => m.groupId === groupId, 15_000);
  }

  async function participants(room: number): Promise<number[]> {
    return (await api.participants(room)).map((participant) => participant.id).sort();
  }

  beforeAll(async () => {
    janus = await startJanus();
    api = new JanusApi({ url: janus.apiUrl, apiSecret: janus.secrets.apiSecret, adminKey: janus.secrets.adminKey });
    server = await startServerProcess({ args: ['--call-grace', '4s', '--janus-url', janus.apiUrl, '--janus-secrets-file', janus.secretsFile] });
    alice = await enrollUser(server, 'alice');
    bob = await enrollUser(server, 'bob');
    carol = await enrollUser(server, 'carol');
    eve = await enrollUser(server, 'eve');
    await Promise.all([publish(alice, 10), publish(bob, 20), publish(carol, 30), publish(eve, 40)]);
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
    await janus.stop();
  });

  it('a member gets a seat that Janus takes: it joins the room as the participant the server named', async () => {
    const groupId = await groupOf([bob]);
    const seat = await seatFor(bob, groupId);
    expect(seat).toMatchObject({ groupId, url: janus.apiUrl, room: expect.any(Number) as number, participantId: expect.any(Number) as number });
    expect(seat.expiresAt).toBeGreaterThan(Date.now());
    expect(await joinRoom(janus.apiUrl, seat.token, seat.room, seat.participantId, seat.roomToken)).toMatchObject({ ok: true, id: seat.participantId });
    const own = await seatFor(alice, groupId);
    expect(own.room).toBe(seat.room);
    expect(own.participantId).not.toBe(seat.participantId);
    // Asking again at once is a flood: one seat costs Janus a dozen requests.
    bob.client.send({ v, type: 'sfu.join', id: 'again', groupId });
    expect(await bob.client.error('rate-limited')).toMatchObject({ groupId, ref: 'again' });
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('no seat for anyone else: enrolled but not in the call, invited but not joined, away, removed, or not signed in', async () => {
    const groupId = await groupOf([bob], [carol]);
    eve.client.send({ v, type: 'sfu.join', id: 'e1', groupId });
    expect(await eve.client.error('not-a-member')).toMatchObject({ groupId, ref: 'e1' });
    carol.client.send({ v, type: 'sfu.join', id: 'c1', groupId });
    expect(await carol.client.error('not-a-member')).toMatchObject({ groupId, ref: 'c1' });

    // Bob's socket drops: he is away (in his grace) until his app rejoins, and gets no seat meanwhile.
    bob.client.close();
    await alice.client.subscribe(['bob']);
    await alice.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'offline', 15_000);
    bob.client = await signIn(server, bob.userId, bob.keys);
    await publish(bob, 60);
    bob.client.send({ v, type: 'sfu.join', id: 'b0', groupId });
    expect(await bob.client.error('not-a-member')).toMatchObject({ groupId, ref: 'b0' });
    bob.client.send({ v, type: 'group.join', groupId });
    await bob.client.next('group.joined', (m) => m.groupId === groupId && m.userId === 'bob');
    expect(await seatFor(bob, groupId)).toMatchObject({ groupId });

    alice.client.send({ v, type: 'group.remove', groupId, userId: 'bob' });
    await bob.client.next('group.ended', (m) => m.groupId === groupId && m.reason === 'removed');
    bob.client.send({ v, type: 'sfu.join', id: 'b1', groupId });
    expect(await bob.client.error('not-a-member')).toMatchObject({ groupId, ref: 'b1' });

    const stranger = await TestClient.connect(server.wsUrl);
    stranger.send({ v, type: 'sfu.join', id: 'x1', groupId });
    expect(await stranger.error('not-authenticated')).toMatchObject({ ref: 'x1' });
    await stranger.closed;

    alice.client.send({ v, type: 'group.end', groupId });
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('Janus refuses an outsider who knows the room: no token, another room\'s seat, a removed member\'s seat', async () => {
    const groupId = await groupOf([bob]);
    const seat = await seatFor(alice, groupId);
    const bobSeat = await seatFor(bob, groupId);
    // Eve in a call of her own with Carol: a valid seat, for another room.
    eve.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['carol'], ...signed });
    const evesGroup = (await eve.client.next('group.rung')).groupId;
    const evesSeat = await seatFor(eve, evesGroup);
    expect(evesSeat.room).not.toBe(seat.room);

    expect(await joinRoom(janus.apiUrl, undefined, seat.room, 99)).toMatchObject({ ok: false, stage: 'session', code: 403 });
    expect(await joinRoom(janus.apiUrl, evesSeat.token, seat.room, 99, evesSeat.roomToken)).toMatchObject({ ok: false, stage: 'join', code: 433 });

    alice.client.send({ v, type: 'group.remove', groupId, userId: 'bob' });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
    // The server revokes in the background: Janus refuses the removed member's seat once it has.
    await expect.poll(async () => joinRoom(janus.apiUrl, bobSeat.token, bobSeat.room, bobSeat.participantId, bobSeat.roomToken), { timeout: 15_000, interval: 200 })
      .toMatchObject({ ok: false, stage: 'join', code: 433 });

    for (const [owner, group] of [[alice, groupId], [eve, evesGroup]] as const) owner.client.send({ v, type: 'group.end', groupId: group });
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
    await eve.client.next('group.ended', (m) => m.groupId === evesGroup);
  });

  it('a removed member and one who leaves are kicked out of the room; the end of the call destroys it', async () => {
    const groupId = await groupOf([bob, carol]);
    const seats = { alice: await seatFor(alice, groupId), bob: await seatFor(bob, groupId), carol: await seatFor(carol, groupId) };
    for (const seat of Object.values(seats)) expect(await joinRoom(janus.apiUrl, seat.token, seat.room, seat.participantId, seat.roomToken)).toMatchObject({ ok: true });
    const room = seats.alice.room;
    expect(await participants(room)).toEqual(Object.values(seats).map((seat) => seat.participantId).sort());

    alice.client.send({ v, type: 'group.remove', groupId, userId: 'bob' });
    await expect.poll(() => participants(room), { timeout: 15_000, interval: 200 }).toEqual([seats.alice.participantId, seats.carol.participantId].sort());

    carol.client.send({ v, type: 'group.leave', groupId });
    await expect.poll(() => participants(room), { timeout: 15_000, interval: 200 }).toEqual([seats.alice.participantId]);

    alice.client.send({ v, type: 'group.end', groupId });
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
    await expect.poll(() => api.exists(room), { timeout: 15_000, interval: 200 }).toBe(false);
  });

  it('a removal while Janus does not answer is tried again: the member is kicked once Janus answers', async () => {
    const groupId = await groupOf([bob, carol]);
    const seats = { alice: await seatFor(alice, groupId), bob: await seatFor(bob, groupId), carol: await seatFor(carol, groupId) };
    for (const seat of Object.values(seats)) expect(await joinRoom(janus.apiUrl, seat.token, seat.room, seat.participantId, seat.roomToken)).toMatchObject({ ok: true });
    const room = seats.alice.room;
    // Frozen, not gone: Janus keeps its rooms, and answers nothing until it is let go on.
    process.kill(janus.pid, 'SIGSTOP');
    try {
      alice.client.send({ v, type: 'group.remove', groupId, userId: 'bob' });
      await expect.poll(() => server.logs(), { timeout: 30_000, interval: 250 }).toContain('could not revoke an SFU seat; trying again');
    } finally {
      process.kill(janus.pid, 'SIGCONT');
    }
    await expect.poll(() => participants(room), { timeout: 30_000, interval: 250 }).toEqual([seats.alice.participantId, seats.carol.participantId].sort());
    // Bob's token is off Janus's list too: he cannot come back in with the seat he had.
    expect(await joinRoom(janus.apiUrl, seats.bob.token, seats.bob.room, seats.bob.participantId, seats.bob.roomToken)).toMatchObject({ ok: false });
    alice.client.send({ v, type: 'group.end', groupId });
    await carol.client.next('group.ended', (m) => m.groupId === groupId);
    await expect.poll(() => api.exists(room), { timeout: 30_000, interval: 250 }).toBe(false);
  }, 90_000);

  it('a Janus that is down gives a clear refusal, and the server and the socket go on', async () => {
    const groupId = await groupOf([bob]);
    await janus.stop();
    alice.client.send({ v, type: 'sfu.join', id: 'd1', groupId });
    expect(await alice.client.error('sfu-unavailable', 15_000)).toMatchObject({ groupId, ref: 'd1', message: expect.stringMatching(/not answering/) as string });
    // The same socket still works.
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
    expect(server.logs()).not.toContain(janus.secrets.apiSecret);
    expect(server.logs()).not.toContain(janus.secrets.adminKey);
    expect(server.logs()).not.toContain(janus.secrets.tokenAuthSecret);
  });
});

describe('a server without Janus', () => {
  let server: ServerProcess;
  let alice: EnrolledUser;
  beforeAll(async () => {
    server = await startServerProcess();
    alice = await enrollUser(server, 'alice');
  });
  afterAll(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
  });

  it('says it has no SFU', async () => {
    const groupId = randomCallId();
    alice.client.send({ v, type: 'sfu.join', id: 'u1', groupId });
    expect(await alice.client.error('unsupported')).toMatchObject({ groupId, ref: 'u1', message: expect.stringMatching(/--janus-url/) as string });
  });
});
