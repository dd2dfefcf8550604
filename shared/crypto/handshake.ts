import { bytesToUint, constantTimeEqual, encodeFields, utf8Bytes } from './bytes';
import { normalizeFingerprint } from './dtls-fingerprint';
import { CryptoError } from './errors';
import { serializeIdentityKey, signAs, verifyAs, type IdentityKeyPair } from './identity';
import { loadSodium } from './sodium';

/*
 * The call handshake (docs/threat-model.md, "The call handshake"), with one addition: the caller's invite
 * carries a hash commitment to its ephemeral key and certificate fingerprint instead of the values
 * themselves, and reveals them in a third message (confirm) after the callee's accept.
 *
 * Why: the short code is the users' defence when the server has swapped identity keys on an
 * unverified contact. Without a commitment, a man in the middle who plays callee to Alice sees
 * Alice's ephemeral key before choosing its own, and can grind its choice until the two short
 * codes it shows Alice and Bob agree (about 2^40 tries). With the commitment, each side of the
 * attack gets one try, so it succeeds with probability 10^-12 (the argument is ZRTP's, RFC 6189
 * §4.4.1.1). The confirm also gives the callee an explicit signature over the whole transcript,
 * and it travels just before the caller's first signal message, so set-up takes no extra round
 * trip.
 *
 * Each side's media flags (audio, video) are signed with its message, and so covered by every later
 * signature and the transcript hash: a server that rewrote them would fail the signature check.
 */

const PROTOCOL_LABEL = 'sealcall/v1/call-ake';
const EPHEMERAL_KEY_BYTES = 32;
const COMMITMENT_BYTES = 32;
const TRANSCRIPT_HASH_BYTES = 32;
const BASE_KEY_BYTES = 32;
const SHORT_CODE_DIGITS = 12;

export interface CallParty {
  id: string;
  /** The raw 32-byte Ed25519 identity public key: for the peer, the one pinned locally. */
  identityKey: Uint8Array;
}

export interface LocalParty {
  id: string;
  identity: IdentityKeyPair;
}

/** What a side asks to send and receive: signed, so the server cannot turn a video call into audio or back. */
export interface CallMedia {
  audio: boolean;
  video: boolean;
}

export interface InviteAke {
  media: CallMedia;
  commitment: Uint8Array;
  signature: Uint8Array;
}

export interface AcceptAke {
  media: CallMedia;
  ephemeralKey: Uint8Array;
  fingerprint: string;
  signature: Uint8Array;
}

export interface ConfirmAke {
  ephemeralKey: Uint8Array;
  fingerprint: string;
  signature: Uint8Array;
}

/** What a finished handshake gives: the renderer gets the two base keys and the short code. */
export interface CallKeys {
  /** SFrame base key for frames this side sends. */
  sendKey: Uint8Array;
  /** SFrame base key for frames the other side sends. */
  receiveKey: Uint8Array;
  /** 12 digits, for the users to read to each other. */
  shortCode: string;
  /** The peer's signed DTLS fingerprint, normalised: the remote SDP must carry exactly this. */
  remoteFingerprint: string;
  transcriptHash: Uint8Array;
}

interface CallContext {
  callId: string;
  caller: CallParty;
  callee: CallParty;
}

export interface CallerPending {
  readonly role: 'caller';
  readonly context: CallContext;
  readonly self: LocalParty;
  readonly invite: InviteAke;
  readonly ephemeral: { publicKey: Uint8Array; secretKey: Uint8Array };
  readonly fingerprint: string;
}

export interface CalleePending {
  readonly role: 'callee';
  readonly context: CallContext;
  readonly invite: InviteAke;
  readonly accept: AcceptAke;
  readonly ephemeral: { publicKey: Uint8Array; secretKey: Uint8Array };
}

/** A pending state holds an ephemeral secret that is wiped on use: it must never be finished twice. */
const finished = new WeakSet();

function consume(state: object): void {
  if (finished.has(state)) fail('handshake-bad-message', 'this handshake was already finished or failed');
  finished.add(state);
}

function fail(code: 'handshake-bad-message' | 'handshake-bad-signature' | 'handshake-bad-commitment', why: string): never {
  throw new CryptoError(code, why);
}

function checkParty(party: CallParty, role: string): void {
  if (typeof party.id !== 'string' || party.id.length === 0) fail('handshake-bad-message', `${role} id is empty`);
  if (!(party.identityKey instanceof Uint8Array) || party.identityKey.length !== 32) {
    fail('handshake-bad-message', `${role} identity key is not 32 bytes`);
  }
}

function checkContext(context: CallContext): void {
  if (typeof context.callId !== 'string' || context.callId.length === 0) fail('handshake-bad-message', 'call id is empty');
  checkParty(context.caller, 'caller');
  checkParty(context.callee, 'callee');
  if (context.caller.id === context.callee.id) fail('handshake-bad-message', 'a user cannot call themselves');
}

function checkBytes(value: unknown, length: number, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) fail('handshake-bad-message', `${what} is not ${length} bytes`);
}

function checkMedia(value: unknown, what: string): asserts value is CallMedia {
  const media = value as Partial<CallMedia> | null;
  if (typeof media !== 'object' || media === null || typeof media.audio !== 'boolean' || typeof media.video !== 'boolean') {
    fail('handshake-bad-message', `${what} media flags are not two booleans`);
  }
}

/** One byte per flag, in a fixed order: the signed form of a side's media request. */
function mediaField(media: CallMedia): Uint8Array {
  return Uint8Array.of(media.audio ? 1 : 0, media.video ? 1 : 0);
}

function checkedFingerprint(value: unknown, what: string): string {
  if (typeof value !== 'string') fail('handshake-bad-message', `${what} is not a string`);
  try {
    return normalizeFingerprint(value);
  } catch {
    return fail('handshake-bad-message', `${what} is not a DTLS fingerprint`);
  }
}

/** The transcript prefix both signatures start from: who calls whom, in which call, with which keys. */
function contextFields(context: CallContext): Uint8Array[] {
  return [
    utf8Bytes(PROTOCOL_LABEL),
    utf8Bytes(context.callId),
    utf8Bytes(context.caller.id),
    utf8Bytes(context.callee.id),
    serializeIdentityKey(context.caller.identityKey),
    serializeIdentityKey(context.callee.identityKey),
  ];
}

async function commitmentFor(context: CallContext, ephemeralKey: Uint8Array, fingerprint: string): Promise<Uint8Array> {
  const sodium = await loadSodium();
  const fields = [utf8Bytes(PROTOCOL_LABEL + '/commitment'), utf8Bytes(context.callId), ephemeralKey, utf8Bytes(fingerprint)];
  return sodium.crypto_generichash(COMMITMENT_BYTES, encodeFields(fields), null);
}

function inviteTranscript(context: CallContext, invite: Pick<InviteAke, 'media' | 'commitment'>): Uint8Array[] {
  return [...contextFields(context), mediaField(invite.media), invite.commitment];
}

function acceptTranscript(context: CallContext, invite: InviteAke, accept: Omit<AcceptAke, 'signature'>): Uint8Array[] {
  // The callee signs the invite's signature too, so its accept answers this exact invite.
  return [...inviteTranscript(context, invite), invite.signature, mediaField(accept.media), accept.ephemeralKey, utf8Bytes(accept.fingerprint)];
}

function confirmTranscript(
  context: CallContext,
  invite: InviteAke,
  accept: AcceptAke,
  confirm: Omit<ConfirmAke, 'signature'>,
): Uint8Array[] {
  return [
    ...acceptTranscript(context, invite, accept),
    accept.signature,
    confirm.ephemeralKey,
    utf8Bytes(confirm.fingerprint),
  ];
}

async function deriveCallKeys(
  role: 'caller' | 'callee',
  ephemeral: { publicKey: Uint8Array; secretKey: Uint8Array },
  peerEphemeral: Uint8Array,
  transcript: Uint8Array[],
  remoteFingerprint: string,
): Promise<CallKeys> {
  const sodium = await loadSodium();
  let sessionKeys: { sharedRx: Uint8Array; sharedTx: Uint8Array };
  try {
    // crypto_kx rejects low-order peer keys (an all-zero shared secret), which we must not accept.
    sessionKeys =
      role === 'caller'
        ? sodium.crypto_kx_client_session_keys(ephemeral.publicKey, ephemeral.secretKey, peerEphemeral)
        : sodium.crypto_kx_server_session_keys(ephemeral.publicKey, ephemeral.secretKey, peerEphemeral);
  } catch {
    return fail('handshake-bad-message', 'the peer ephemeral key is not a usable X25519 key');
  } finally {
    sodium.memzero(ephemeral.secretKey);
  }
  const transcriptHash = sodium.crypto_generichash(TRANSCRIPT_HASH_BYTES, encodeFields(transcript), null);
  const baseKey = (directionKey: Uint8Array, direction: string): Uint8Array =>
    sodium.crypto_generichash(
      BASE_KEY_BYTES,
      encodeFields([utf8Bytes(`${PROTOCOL_LABEL}/sframe-base-key/${direction}`), transcriptHash]),
      directionKey,
    );
  // crypto_kx gives the client's tx equal to the server's rx: the caller is kx's client.
  const sendKey = baseKey(sessionKeys.sharedTx, role === 'caller' ? 'caller-to-callee' : 'callee-to-caller');
  const receiveKey = baseKey(sessionKeys.sharedRx, role === 'caller' ? 'callee-to-caller' : 'caller-to-callee');
  sodium.memzero(sessionKeys.sharedTx);
  sodium.memzero(sessionKeys.sharedRx);
  return { sendKey, receiveKey, shortCode: await shortCodeFor(transcriptHash), remoteFingerprint, transcriptHash };
}

async function shortCodeFor(transcriptHash: Uint8Array): Promise<string> {
  const sodium = await loadSodium();
  const digest = sodium.crypto_generichash(8, encodeFields([utf8Bytes(`${PROTOCOL_LABEL}/short-code`), transcriptHash]), null);
  // 2^64 mod 10^12 leaves a bias below 10^-7: negligible for a code read aloud.
  return (bytesToUint(digest) % 10n ** BigInt(SHORT_CODE_DIGITS)).toString().padStart(SHORT_CODE_DIGITS, '0');
}

/** "123456789012" → "1234 5678 9012", for reading aloud. */
export function formatShortCode(code: string): string {
  if (!/^\d{12}$/.test(code)) throw new CryptoError('invalid-input', 'a short code is 12 digits');
  return `${code.slice(0, 4)} ${code.slice(4, 8)} ${code.slice(8)}`;
}

/** Caller, step 1: the invite. Keep the returned state for `finishAsCaller`. */
export async function startCall(params: {
  callId: string;
  self: LocalParty;
  peer: CallParty;
  fingerprint: string;
  media: CallMedia;
}): Promise<{ invite: InviteAke; state: CallerPending }> {
  const context: CallContext = {
    callId: params.callId,
    caller: { id: params.self.id, identityKey: params.self.identity.publicKey },
    callee: params.peer,
  };
  checkContext(context);
  const fingerprint = checkedFingerprint(params.fingerprint, 'own fingerprint');
  checkMedia(params.media, 'own');
  const media = { audio: params.media.audio, video: params.media.video };
  const sodium = await loadSodium();
  const kx = sodium.crypto_kx_keypair();
  const ephemeral = { publicKey: kx.publicKey, secretKey: kx.privateKey };
  const commitment = await commitmentFor(context, ephemeral.publicKey, fingerprint);
  const signature = await signAs(params.self.identity.secretKey, 'call-invite', encodeFields(inviteTranscript(context, { media, commitment })));
  const invite = { media, commitment, signature };
  return { invite, state: { role: 'caller', context, self: params.self, invite, ephemeral, fingerprint } };
}

/**
 * Callee, on arrival: is this invite really from the caller's pinned key, for this call and for
 * me? Checked before the phone rings, so a forged invite never rings. Throws like answerCall.
 */
export async function checkInvite(params: { callId: string; self: CallParty; peer: CallParty; invite: InviteAke }): Promise<void> {
  const context: CallContext = { callId: params.callId, caller: params.peer, callee: params.self };
  checkContext(context);
  const { invite } = params;
  checkMedia(invite.media, 'invite');
  checkBytes(invite.commitment, COMMITMENT_BYTES, 'invite commitment');
  checkBytes(invite.signature, 64, 'invite signature');
  const inviteOk = await verifyAs(context.caller.identityKey, 'call-invite', encodeFields(inviteTranscript(context, invite)), invite.signature);
  if (!inviteOk) fail('handshake-bad-signature', 'the invite is not signed by the caller’s pinned identity key');
}

/** Callee, step 2: check the invite against the caller's pinned key, and answer it. */
export async function answerCall(params: {
  callId: string;
  self: LocalParty;
  /** The caller, with the identity key pinned for them. */
  peer: CallParty;
  fingerprint: string;
  media: CallMedia;
  invite: InviteAke;
}): Promise<{ accept: AcceptAke; state: CalleePending }> {
  const context: CallContext = {
    callId: params.callId,
    caller: params.peer,
    callee: { id: params.self.id, identityKey: params.self.identity.publicKey },
  };
  checkContext(context);
  const fingerprint = checkedFingerprint(params.fingerprint, 'own fingerprint');
  checkMedia(params.media, 'own');
  const { invite } = params;
  await checkInvite({ callId: params.callId, self: context.callee, peer: context.caller, invite });

  const sodium = await loadSodium();
  const kx = sodium.crypto_kx_keypair();
  const ephemeral = { publicKey: kx.publicKey, secretKey: kx.privateKey };
  const unsigned = { media: { audio: params.media.audio, video: params.media.video }, ephemeralKey: ephemeral.publicKey, fingerprint };
  const signature = await signAs(params.self.identity.secretKey, 'call-accept', encodeFields(acceptTranscript(context, invite, unsigned)));
  const accept = { ...unsigned, signature };
  return { accept, state: { role: 'callee', context, invite, accept, ephemeral } };
}

/** Caller, step 3: check the accept, derive the keys, and reveal the committed values. */
export async function finishAsCaller(state: CallerPending, accept: AcceptAke): Promise<{ confirm: ConfirmAke; keys: CallKeys }> {
  // Any failure ends the handshake: a forged accept must not leave a retry open.
  consume(state);
  checkMedia(accept.media, 'accept');
  checkBytes(accept.ephemeralKey, EPHEMERAL_KEY_BYTES, 'accept ephemeral key');
  checkBytes(accept.signature, 64, 'accept signature');
  const remoteFingerprint = checkedFingerprint(accept.fingerprint, 'accept fingerprint');
  const { context, invite } = state;
  const received = { ...accept, fingerprint: remoteFingerprint };
  const acceptOk = await verifyAs(
    context.callee.identityKey,
    'call-accept',
    encodeFields(acceptTranscript(context, invite, received)),
    accept.signature,
  );
  if (!acceptOk) fail('handshake-bad-signature', 'the accept is not signed by the callee’s pinned identity key');

  const unsigned = { ephemeralKey: state.ephemeral.publicKey, fingerprint: state.fingerprint };
  const transcript = confirmTranscript(context, invite, received, unsigned);
  const signature = await signAs(state.self.identity.secretKey, 'call-confirm', encodeFields(transcript));
  const keys = await deriveCallKeys('caller', state.ephemeral, accept.ephemeralKey, transcript, remoteFingerprint);
  return { confirm: { ...unsigned, signature }, keys };
}

/** Callee, step 4: check the revealed values against the commitment and the caller's signature. */
export async function finishAsCallee(state: CalleePending, confirm: ConfirmAke): Promise<CallKeys> {
  consume(state);
  checkBytes(confirm.ephemeralKey, EPHEMERAL_KEY_BYTES, 'confirm ephemeral key');
  checkBytes(confirm.signature, 64, 'confirm signature');
  const remoteFingerprint = checkedFingerprint(confirm.fingerprint, 'confirm fingerprint');
  const { context, invite, accept } = state;
  const expected = await commitmentFor(context, confirm.ephemeralKey, remoteFingerprint);
  if (!constantTimeEqual(expected, invite.commitment)) {
    fail('handshake-bad-commitment', 'the caller revealed values other than those it committed to');
  }
  const received = { ...confirm, fingerprint: remoteFingerprint };
  const transcript = confirmTranscript(context, invite, accept, received);
  const confirmOk = await verifyAs(context.caller.identityKey, 'call-confirm', encodeFields(transcript), confirm.signature);
  if (!confirmOk) fail('handshake-bad-signature', 'the confirm is not signed by the caller’s pinned identity key');
  return deriveCallKeys('callee', state.ephemeral, confirm.ephemeralKey, transcript, remoteFingerprint);
}
