import { toBase64Url } from '../crypto/bytes';
import { PROTOCOL_VERSION } from './version';

/* One valid example of every protocol message, for the schema tests. */

export const v = PROTOCOL_VERSION;
export const b64 = (length: number, fill = 7) => toBase64Url(new Uint8Array(length).fill(fill));
export const key = toBase64Url(Uint8Array.of(1, ...new Uint8Array(32).fill(9)));
export const callId = 'AAAAAAAAAAAAAAAAAAAAAA';
export const fingerprint = `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;
export const reveal = { ephemeralKey: b64(32), fingerprint, signature: b64(64) };

export const callBodies: Record<string, Record<string, unknown>> = {
  'call.invite': { media: { audio: true, video: true }, ake: { commitment: b64(32), signature: b64(64) } },
  'call.ringing': {},
  'call.accept': { media: { audio: true, video: false }, ake: reveal },
  'call.confirm': { ake: reveal },
  'call.decline': { reason: 'declined' },
  'call.busy': {},
  'call.cancel': {},
  'call.signal': { data: { type: 'offer', sdp: 'v=0\r\n' } },
  'call.hangup': { reason: 'hangup' },
};

export const groupId = 'GGGGGGGGGGGGGGGGGGGGGG';
const signedInvite = { invite: b64(300), signature: b64(64) };

/** The group and key-package messages a client sends. */
export const groupClientExamples: Record<string, Record<string, unknown>> = {
  'keys.publish': { v, type: 'keys.publish', id: 'k1', packages: [b64(400, 1), b64(400, 2)], lastResort: b64(400, 3) },
  'keys.fetch': { v, type: 'keys.fetch', groupId, users: ['bob', 'carol'] },
  'group.create': { v, type: 'group.create', id: 'g1', groupId, media: { audio: true, video: true }, invitees: ['bob', 'carol'], ...signedInvite },
  'group.invite': { v, type: 'group.invite', groupId, invitees: ['bob', 'carol', 'dave'], ...signedInvite },
  'group.join': { v, type: 'group.join', groupId },
  'group.decline': { v, type: 'group.decline', groupId },
  'group.leave': { v, type: 'group.leave', groupId },
  'group.end': { v, type: 'group.end', groupId },
  'group.remove': { v, type: 'group.remove', groupId, userId: 'carol' },
  'group.commit': { v, type: 'group.commit', id: 'c1', groupId, epoch: 3, commit: b64(900), welcome: b64(2000), welcomeTo: 'dave' },
  'group.state': { v, type: 'group.state', groupId, state: b64(300) },
  'group.signal': { v, type: 'group.signal', groupId, to: 'bob', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls: { fingerprint, signature: b64(64) } },
};

export const groupServerExamples: Record<string, Record<string, unknown>> = {
  'keys.packages': { v, type: 'keys.packages', groupId, packages: [{ userId: 'bob', package: b64(400) }], missing: ['carol'] },
  'keys.published': { v, type: 'keys.published', oneTime: 2 },
  'group.rung': { v, type: 'group.rung', groupId, epoch: 0, rung: ['bob'], unavailable: ['carol'] },
  'group.invite': { v, type: 'group.invite', groupId, from: 'alice', media: { audio: true, video: false }, invitees: ['bob', 'carol'], members: ['alice'], ...signedInvite },
  'group.invited': { v, type: 'group.invited', groupId, invitees: ['bob', 'carol', 'dave'], ...signedInvite },
  'group.joined': { v, type: 'group.joined', groupId, userId: 'bob', members: ['alice', 'bob'], epoch: 0 },
  'group.left': { v, type: 'group.left', groupId, userId: 'bob', reason: 'disconnected', members: ['alice'] },
  'group.declined': { v, type: 'group.declined', groupId, userId: 'carol' },
  'group.committed': { v, type: 'group.committed', groupId, epoch: 3, from: 'alice', commit: b64(900) },
  'group.welcome': { v, type: 'group.welcome', groupId, epoch: 3, from: 'alice', welcome: b64(2000) },
  'group.signal': { v, type: 'group.signal', groupId, from: 'alice', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls: { fingerprint, signature: b64(64) } },
  'group.ended': { v, type: 'group.ended', groupId, reason: 'ended' },
  'group.transport': { v, type: 'group.transport', groupId, transport: 'sfu' },
  'group.state': { v, type: 'group.state', groupId, from: 'carol', state: b64(300) },
};

export const clientExamples: Record<string, Record<string, unknown>> = {
  auth: { v, type: 'auth', userId: 'alice@example.com', signature: b64(64) },
  enroll: { v, type: 'enroll', id: 'r1', code: b64(16), identityKey: key, deviceName: 'Alice’s laptop', signature: b64(64) },
  'directory.sync': { v, type: 'directory.sync', id: 'r3', since: { epoch: b64(16), version: 41 } },
  'presence.subscribe': { v, type: 'presence.subscribe', add: ['bob', 'carol'], remove: ['dave'] },
  'turn.request': { v, type: 'turn.request', id: 'r2' },
  'sfu.join': { v, type: 'sfu.join', id: 'r4', groupId },
  'call.resume': { v, type: 'call.resume', callId, to: 'bob', role: 'caller' },
  ...groupClientExamples,
  ...Object.fromEntries(Object.entries(callBodies).map(([type, body]) => [type, { v, type, callId, to: 'bob', ...body }])),
};

export const entry = { id: 'bob', displayName: 'Bob Example', identityKey: key };
export const serverExamples: Record<string, Record<string, unknown>> = {
  hello: { v, type: 'hello', serverUrl: 'https://sealcall.example.com', nonce: b64(32), serverVersion: '0.1.0' },
  welcome: { v, type: 'welcome', userId: 'alice', displayName: 'Alice' },
  'directory.delta': { v, type: 'directory.delta', epoch: b64(16), version: 42, full: false, users: [entry], removed: ['carol'] },
  'directory.user': { v, type: 'directory.user', user: entry, version: 43 },
  'directory.removed': { v, type: 'directory.removed', userId: 'bob', version: 44 },
  'presence.snapshot': { v, type: 'presence.snapshot', users: [{ id: 'bob', presence: 'online' }] },
  presence: { v, type: 'presence', userId: 'bob', presence: 'busy' },
  'turn.credentials': {
    v,
    type: 'turn.credentials',
    iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:alice', credential: 'c2VjcmV0' }],
    expiresAt: 1_700_000_000_000,
  },
  'sfu.seat': {
    v,
    type: 'sfu.seat',
    groupId,
    url: 'https://sfu.example.com/janus',
    room: 4_812_390_112_345,
    participantId: 90_071_992_547,
    token: '1700000600,janus,janus.plugin.videoroom,member=90071992547,n=q83v:c2lnbmF0dXJl',
    roomToken: '1700000600,janus.plugin.videoroom,room=4812390112345,member=90071992547,n=r94w:c2lnbmF0dXJl',
    expiresAt: 1_700_000_600_000,
  },
  'call.ended': { v, type: 'call.ended', callId, reason: 'timeout' },
  error: { v, type: 'error', code: 'stale-epoch', message: 'slow down', ref: 'r1', groupId, epoch: 4 },
  ...groupServerExamples,
  ...Object.fromEntries(Object.entries(callBodies).map(([type, body]) => [type, { v, type, callId, from: 'alice', ...body }])),
};

/** The other shapes a `call.signal`'s data takes, beside the offer in the examples. */
export const signalDataExamples: Record<string, unknown>[] = [
  { type: 'offer', sdp: 'v=0\r\n' },
  { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 0, sdpMid: '0', usernameFragment: null } },
  { renegotiate: true },
  { transceiverRequest: { kind: 'video' } },
];
