import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { janusMissingReason, startJanus, type JanusProcess } from '../test-support/janus.fixture';
import { joinRoom } from '../test-support/janus-client.fixture';
import { JanusApi, JanusUnavailableError } from './janus-api';
import { signCoreToken, signRoomToken } from './join-token';
import { SfuRooms } from './sfu-rooms';

/*
 * The server's control of a real Janus (Debian's, started from deploy/janus/ on loopback): rooms,
 * join tokens Janus checks itself, revocation and kicks. A client here joins through Janus's own
 * API as an app would.
 */

const missing = janusMissingReason();
let janus: JanusProcess;
let rooms: SfuRooms;

function roomsFor(target: JanusProcess, ttlMs = 60_000): SfuRooms {
  return new SfuRooms({ apiUrl: target.apiUrl, publicUrl: target.apiUrl, secrets: target.secrets, tokenTtlMs: ttlMs, maxPublishers: 50, bitrate: 1_000_000 });
}

describe.skipIf(missing !== undefined)(`SFU rooms on a real Janus${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  beforeAll(async () => {
    janus = await startJanus();
    rooms = roomsFor(janus);
  }, 60_000);
  afterAll(async () => {
    await janus.stop();
  });

  test('a seat lets its member join the room through Janus, as the id the server gave', async () => {
    const seat = await rooms.seat('group-seat-aaaaaaaaaaaa', 'alice');
    expect(seat.room).toBe(rooms.roomOf('group-seat-aaaaaaaaaaaa'));
    const joined = await joinRoom(janus.apiUrl, seat.token, seat.room, seat.participantId, seat.roomToken);
    expect(joined).toMatchObject({ ok: true, id: seat.participantId });
  });

  test('Janus refuses an outsider: no token, a token of another room, a stale one, one it was never given', async () => {
    const group = 'group-outsider-bbbbbbbbbb';
    const seat = await rooms.seat(group, 'alice');
    const other = await rooms.seat('group-other-cccccccccccc', 'mallory');
    // No token: no session at all (403 unauthorized).
    expect(await joinRoom(janus.apiUrl, undefined, seat.room, 7)).toMatchObject({ ok: false, stage: 'session', code: 403 });
    // A valid token for another room: the room refuses it (433 unauthorized).
    expect(await joinRoom(janus.apiUrl, other.token, seat.room, 7, other.roomToken)).toMatchObject({ ok: false, stage: 'join', code: 433 });
    const soon = Math.floor(Date.now() / 1000) + 60;
    const secret = janus.secrets.tokenAuthSecret;
    const fields = (expiresAt: number) => ({ room: seat.room, participantId: 7, expiresAt });
    // Expired core token: no session.
    const past = Math.floor(Date.now() / 1000) - 5;
    expect(await joinRoom(janus.apiUrl, signCoreToken(secret, fields(past)), seat.room, 7, signRoomToken(secret, fields(soon)))).toMatchObject({ ok: false, stage: 'session', code: 403 });
    // A valid session, but an expired room token.
    expect(await joinRoom(janus.apiUrl, signCoreToken(secret, fields(soon)), seat.room, 7, signRoomToken(secret, fields(past)))).toMatchObject({ ok: false, stage: 'join', code: 433 });
    // Signed for this room, unexpired, but never put on its allowed list.
    expect(await joinRoom(janus.apiUrl, signCoreToken(secret, fields(soon)), seat.room, 7, signRoomToken(secret, fields(soon)))).toMatchObject({ ok: false, stage: 'join', code: 433 });
    // The member's core token used as the room token (the realm differs).
    expect(await joinRoom(janus.apiUrl, seat.token, seat.room, 7, seat.token)).toMatchObject({ ok: false, stage: 'join', code: 433 });
    // Signed with another secret.
    const forged = 'not-the-secret-not-the-secret-not-the-secret';
    expect(await joinRoom(janus.apiUrl, signCoreToken(forged, fields(soon)), seat.room, 7, seat.roomToken)).toMatchObject({ ok: false, stage: 'session', code: 403 });
    // The member's own token still works.
    expect(await joinRoom(janus.apiUrl, seat.token, seat.room, seat.participantId, seat.roomToken)).toMatchObject({ ok: true });
  });

  test('a revoked member is kicked and its tokens no longer let it in; so is anyone under an id nobody was given', async () => {
    const group = 'group-revoke-dddddddddddd';
    const alice = await rooms.seat(group, 'alice');
    const bob = await rooms.seat(group, 'bob');
    const api = new JanusApi({ url: janus.apiUrl, apiSecret: janus.secrets.apiSecret, adminKey: janus.secrets.adminKey });
    expect(await joinRoom(janus.apiUrl, alice.token, alice.room, alice.participantId, alice.roomToken)).toMatchObject({ ok: true });
    expect(await joinRoom(janus.apiUrl, bob.token, bob.room, bob.participantId, bob.roomToken)).toMatchObject({ ok: true });
    // Bob also joins under an id of his own choosing, with a fresh seat's token.
    const again = await rooms.seat(group, 'bob');
    expect(await joinRoom(janus.apiUrl, again.token, again.room, 4242, again.roomToken)).toMatchObject({ ok: true });
    const ids = async () => (await api.participants(alice.room)).map((participant) => participant.id).sort();
    expect(await ids()).toEqual([alice.participantId, bob.participantId, 4242].sort());

    const { kicked } = await rooms.revoke(group, 'bob', ['alice']);
    expect(kicked.sort()).toEqual([bob.participantId, 4242].sort());
    expect(await ids()).toEqual([alice.participantId]);
    // Neither of Bob's tokens gets him back in.
    expect(await joinRoom(janus.apiUrl, bob.token, bob.room, bob.participantId, bob.roomToken)).toMatchObject({ ok: false, stage: 'join', code: 433 });
    expect(await joinRoom(janus.apiUrl, again.token, again.room, bob.participantId, again.roomToken)).toMatchObject({ ok: false, stage: 'join', code: 433 });
  });

  test('a fresh seat takes the member\'s older token off the allowed list', async () => {
    const group = 'group-fresh-eeeeeeeeeeee';
    const first = await rooms.seat(group, 'alice');
    const second = await rooms.seat(group, 'alice');
    expect(second.token).not.toBe(first.token);
    expect(await joinRoom(janus.apiUrl, first.token, first.room, first.participantId, first.roomToken)).toMatchObject({ ok: false, stage: 'join', code: 433 });
    expect(await joinRoom(janus.apiUrl, second.token, second.room, second.participantId, second.roomToken)).toMatchObject({ ok: true });
  });

  test('the end of the call destroys the room; a seat after a Janus restart makes it again', async () => {
    const group = 'group-end-ffffffffffffff';
    const seat = await rooms.seat(group, 'alice');
    const api = new JanusApi({ url: janus.apiUrl, apiSecret: janus.secrets.apiSecret, adminKey: janus.secrets.adminKey });
    expect(await api.exists(seat.room)).toBe(true);
    await rooms.end(group);
    expect(await api.exists(seat.room)).toBe(false);
    // Ending twice (or a call nobody took a seat in) is fine.
    await rooms.end(group);
    const back = await rooms.seat(group, 'alice');
    expect(back.room).toBe(seat.room);
    expect(await joinRoom(janus.apiUrl, back.token, back.room, back.participantId, back.roomToken)).toMatchObject({ ok: true });
  });

  test('the shipped config keeps the Janus API on loopback: no other address of this machine answers', async () => {
    const port = Number(new URL(janus.apiUrl).port);
    const others = Object.values(networkInterfaces()).flat().filter((address) => address !== undefined && address.family === 'IPv4' && !address.internal).map((address) => address?.address ?? '');
    const answers = (host: string) => new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => { resolve(false); });
    });
    expect(await answers('127.0.0.1')).toBe(true);
    for (const host of others) expect(await answers(host), host).toBe(false);
  });

  test('only the server makes rooms: a client with a seat cannot create one, nor forward RTP', async () => {
    const seat = await rooms.seat('group-admin-gggggggggggg', 'alice');
    const post = async (url: string, body: Record<string, unknown>) =>
      (await (await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: 't', token: seat.token }) })).json()) as { data?: { id?: number }; plugindata?: { data?: Record<string, unknown> } };
    const session = (await post(janus.apiUrl, { janus: 'create' })).data?.id;
    const handle = (await post(`${janus.apiUrl}/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data?.id;
    const created = await post(`${janus.apiUrl}/${session}/${handle}`, { janus: 'message', body: { request: 'create', room: 777 } });
    // VideoRoom's admin_key: 429 is "missing element" (no admin_key given).
    expect(created.plugindata?.data).toMatchObject({ error_code: expect.any(Number) as number, error: expect.stringMatching(/admin_key/) as string });
    const forward = await post(`${janus.apiUrl}/${session}/${handle}`, { janus: 'message', body: { request: 'rtp_forward', room: seat.room, publisher_id: 1, host: '127.0.0.1', streams: [] } });
    expect(forward.plugindata?.data).toMatchObject({ error_code: expect.any(Number) as number });
  });
});

describe('a Janus that is down or answers garbage', () => {
  let garbage: Server;
  let garbageUrl: string;
  beforeAll(async () => {
    garbage = createServer((request, response) => {
      response.end(request.url?.includes('json') === true ? '{"janus":"success","data":{"id":"not a number"}}' : '<html>not janus</html>');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const address = garbage.address();
    garbageUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => garbage.close(resolve));
  });

  const secrets = { apiSecret: 'a'.repeat(32), tokenAuthSecret: 'b'.repeat(32), adminKey: 'c'.repeat(32) };
  const at = (apiUrl: string) => new SfuRooms({ apiUrl, publicUrl: apiUrl, secrets, tokenTtlMs: 60_000, maxPublishers: 50, bitrate: 1_000_000 });

  test('nothing listening: a clear JanusUnavailableError', async () => {
    // Port 9 (discard) is closed on loopback here.
    await expect(at('http://127.0.0.1:9/janus').seat('group-down-hhhhhhhhhhhh', 'alice')).rejects.toThrow(JanusUnavailableError);
    await expect(at('http://127.0.0.1:9/janus').seat('group-down-hhhhhhhhhhhh', 'alice')).rejects.toThrow(/did not answer create/);
  });

  test('not JSON, or JSON of the wrong shape: a clear JanusUnavailableError', async () => {
    await expect(at(`${garbageUrl}/janus`).seat('group-junk-iiiiiiiiiiii', 'alice')).rejects.toThrow(/not JSON/);
    await expect(at(`${garbageUrl}/json`).seat('group-junk-iiiiiiiiiiii', 'alice')).rejects.toThrow(/something unexpected \(data\.id/);
  });
});
