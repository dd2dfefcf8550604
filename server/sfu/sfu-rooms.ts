import { createHmac } from 'node:crypto';
import { JanusApi, JanusRefusedError, VIDEOROOM_ERROR } from './janus-api';
import type { JanusSecrets } from './janus-secrets';
import { signCoreToken, signRoomToken, tokenExpiry, tokenMember } from './join-token';

/*
 * One Janus VideoRoom per group call (docs/protocol.md, "Meetings over the SFU"). The room number,
 * its secret and each member's participant id are derived from the group id (and user id) under a
 * key only the server holds, so the server keeps no state of its own about rooms: what it needs to
 * revoke a member (the tokens on the allowed list, who is in the room) it asks Janus.
 */

export interface SfuConfig {
  /** The Janus API the server controls, on loopback. */
  apiUrl: string;
  /** The Janus API as clients reach it (through the deployment's TLS proxy). */
  publicUrl: string;
  secrets: JanusSecrets;
  /** How long a token lets a client in; the app asks again before it runs out. */
  tokenTtlMs: number;
  /** Most publishers in one room. */
  maxPublishers: number;
  /** Video bitrate cap per publisher, bits per second. */
  bitrate: number;
  /** A group call for more people than this goes through the SFU (`--mesh-max`; DEFAULT_MESH_MAX). */
  meshMax?: number;
}

/**
 * Above this many people a call goes through Janus. Three, measured (bench/meeting-transport.bench.ts;
 * docs/group-calls.md, "Mesh or SFU: what a member pays"): with simulcast, a member's upload to
 * Janus (three layers) is about what a mesh of three uploads (two streams), and from four people
 * on the mesh costs more upload and more CPU, encoding the camera once per other member.
 */
export const DEFAULT_MESH_MAX = 3;


export interface Seat {
  url: string;
  room: number;
  participantId: number;
  /** For every Janus request (join-token.ts). */
  token: string;
  /** For the join; on the room's allowed list until revoked. */
  roomToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** 48 bits: room and participant ids stay exact as JSON numbers and far from colliding. */
function derivedId(key: string, label: string, ...parts: string[]): number {
  const mac = createHmac('sha256', key).update(`sealcall/v1/sfu/${label}`);
  for (const part of parts) mac.update(`\0${part.length}\0${part}`);
  const id = mac.digest().readUIntBE(0, 6);
  return id === 0 ? 1 : id;
}

export class SfuRooms {
  private readonly api: JanusApi;
  /** The derivation key: one of the shared secrets under a label of its own, never sent anywhere. */
  private readonly key: string;

  constructor(private readonly config: SfuConfig) {
    this.api = new JanusApi({ url: config.apiUrl, apiSecret: config.secrets.apiSecret, adminKey: config.secrets.adminKey });
    this.key = createHmac('sha256', config.secrets.tokenAuthSecret).update('sealcall/v1/sfu/derivation-key').digest('base64url');
  }

  roomOf(groupId: string): number {
    return derivedId(this.key, 'room', groupId);
  }

  participantOf(groupId: string, userId: string): number {
    return derivedId(this.key, 'participant', groupId, userId);
  }

  private secretOf(groupId: string): string {
    return createHmac('sha256', this.key).update(`sealcall/v1/sfu/room-secret\0${groupId}`).digest('base64url');
  }

  /**
   * A seat for a present member: the room is made if Janus does not have it (first seat, or Janus
   * restarted), a fresh token goes on its allowed list, and the member's older tokens come off it.
   */
  async seat(groupId: string, userId: string, now = Date.now()): Promise<Seat> {
    const room = this.roomOf(groupId);
    const secret = this.secretOf(groupId);
    await this.ensureRoom(room, secret);
    const participantId = this.participantOf(groupId, userId);
    const expiresAtSeconds = Math.floor((now + this.config.tokenTtlMs) / 1000);
    const fields = { room, participantId, expiresAt: expiresAtSeconds };
    const token = signCoreToken(this.config.secrets.tokenAuthSecret, fields);
    const roomToken = signRoomToken(this.config.secrets.tokenAuthSecret, fields);
    const allowed = await this.api.allowed(room, secret, 'add', [roomToken]);
    const older = allowed.filter((other) => other !== roomToken && tokenMember(other) === participantId);
    if (older.length > 0) await this.api.allowed(room, secret, 'remove', older);
    return { url: this.config.publicUrl, room, participantId, token, roomToken, expiresAt: expiresAtSeconds * 1000 };
  }

  /**
   * A member is out of the call: its tokens come off the allowed list (no join again), then it is
   * kicked, and so is anyone in the room who is not one of `members` (someone who joined under
   * another id than the one the server gave it). With `members` null (a later try, when the list
   * may be out of date) only this member's tokens and participant go, and tokens that ran out.
   */
  async revoke(groupId: string, userId: string, members: readonly string[] | null): Promise<{ kicked: number[] }> {
    const room = this.roomOf(groupId);
    const secret = this.secretOf(groupId);
    if (!(await this.api.exists(room))) return { kicked: [] };
    const gone = this.participantOf(groupId, userId);
    const allowed = await this.api.allowed(room, secret, 'add', []);
    const keep = members === null ? null : new Set(members.filter((member) => member !== userId).map((member) => this.participantOf(groupId, member)));
    const out = (participant: number | undefined) => participant === gone || (keep !== null && (participant === undefined || !keep.has(participant)));
    const nowSeconds = Math.floor(Date.now() / 1000);
    // Its own tokens, and any that ran out or name nobody still in the call.
    const stale = allowed.filter((token) => {
      const expiry = tokenExpiry(token);
      return out(tokenMember(token)) || expiry === undefined || expiry < nowSeconds;
    });
    if (stale.length > 0) await this.api.allowed(room, secret, 'remove', stale);
    const kicked: number[] = [];
    for (const participant of await this.api.participants(room)) {
      if (!out(participant.id)) continue;
      try {
        await this.api.kick(room, secret, participant.id);
        kicked.push(participant.id);
      } catch (error) {
        // Gone between the list and the kick.
        if (!(error instanceof JanusRefusedError && error.code === VIDEOROOM_ERROR.noSuchFeed)) throw error;
      }
    }
    return { kicked };
  }

  /**
   * Tests only (e2e/sfu-janus.harness.spec.ts): copies a publisher's RTP to a UDP port, to show what Janus
   * forwards. Needs the admin key (the room is lock_rtp_forward); nothing in the server calls it.
   */
  async forwardForTests(groupId: string, publisherId: number, host: string, streams: { mid: string; port: number }[]): Promise<void> {
    await this.api.rtpForward(this.roomOf(groupId), this.secretOf(groupId), publisherId, host, streams);
  }

  /** The call ended: the room goes, and everyone in it with it. */
  async end(groupId: string): Promise<void> {
    try {
      await this.api.destroyRoom(this.roomOf(groupId), this.secretOf(groupId));
    } catch (error) {
      // Never made (nobody asked for a seat), or Janus restarted since.
      if (!(error instanceof JanusRefusedError && error.code === VIDEOROOM_ERROR.noSuchRoom)) throw error;
    }
  }

  private async ensureRoom(room: number, secret: string): Promise<void> {
    if (await this.api.exists(room)) return;
    try {
      await this.api.createRoom({ room, secret, description: 'sealcall meeting', publishers: this.config.maxPublishers, bitrate: this.config.bitrate });
    } catch (error) {
      // Two seats asked for at once: the other made it.
      if (!(error instanceof JanusRefusedError && error.code === VIDEOROOM_ERROR.roomExists)) throw error;
    }
  }
}
