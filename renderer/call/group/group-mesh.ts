import type { GroupKeys, GroupView } from '../../../shared/ipc';
import type { SignalData } from '../../../shared/protocol/call';
import type { CallPrerequisites } from '../call-prerequisites';
import { DecryptHealth } from '../decrypt-health';
import { takeDtlsCertificate, type DtlsCertificate } from '../dtls-certificate';
import { FrameCryptoClient } from '../frame-crypto-client';
import { refuseIfDenied } from '../local-media';
import { LocalMediaControls } from '../local-media-controls';
import { ScreenShare } from '../screen-share';
import { SignalQueue } from '../signal-queue';
import { sampleMedia } from '../stats';
import { chooseTransformApi, type TransformApi } from '../transforms';
import { sampleVideoSizes } from '../video-sizes';
import { FanOutSender } from './fan-out-sender';
import type { GroupMediaSession, GroupSessionEvents } from './group-call-controller';
import type { GroupCryptoReport, GroupMemberStats } from './group-diagnostics';
import type { GroupMedia } from './group-engine-types';
import { GroupPair, type MemberMediaState } from './group-pair';
import { EndedSessions, sdpSessionId } from './sdp-session';
import type { SharedGroupMedia } from '../sfu/sfu-session';

export interface GroupMeshSettings {
  preferLegacyTransforms: boolean;
  /** E2e tests only: closing keeps the worker and its last keys (for the frame probe) instead of wiping it. */
  keepWorkerAfterLeave?: boolean;
}

export interface GroupMeshEvents extends GroupSessionEvents {
  /** Local or remote media, a pair, or the counters changed. */
  changed(): void;
  problem(message: string): void;
  /** Something the user should see that does not end the call (a pair lost, a share refused). */
  notice(message: string): void;
}

/** Members a group can have besides us; signals from more senders than this are not held. */
const MAX_OTHERS = 7;
/** A pair lost while its member is still in the call is started again after this long. */
const REOPEN_AFTER_MS = 1000;

/**
 * The page's side of a group call as a full mesh (docs/group-calls.md, "The mesh"): one
 * frame-crypto worker holding the group's keys, one DTLS certificate, the camera and microphone
 * captured once, and one GroupPair per other member once both are in the MLS group. The member
 * with the lower user id of each pair offers. close() undoes all of it.
 */
export class GroupMesh implements GroupMediaSession {
  readonly groupId: string;
  readonly selfId: string;
  readonly crypto: FrameCryptoClient;
  readonly transformApi: TransformApi;
  readonly health = new DecryptHealth();
  media: LocalMediaControls | null = null;
  readonly pairs = new Map<string, GroupPair>();
  #certificate: DtlsCertificate | null = null;
  #ice: { iceServers: RTCIceServer[]; relayOnly: boolean } = { iceServers: [], relayOnly: false };
  #view: GroupView | null = null;
  #keysLoaded = false;
  readonly #untilPair = new Map<string, SignalQueue>();
  /** Members whose pair the core refused (a DTLS binding broken): never opened again in this call. */
  readonly #refused = new Set<string>();
  /** The member's peer connections our closed pairs talked to: their late SDPs are dropped. */
  readonly #endedSessions = new EndedSessions();
  #senders: { audio: FanOutSender; video: FanOutSender } | null = null;
  #share: ScreenShare | null = null;
  #closed: Promise<GroupCryptoReport> | undefined;
  /** The call moved to the SFU: no pair is opened any more, and those left close once it carries the media. */
  #opening = true;
  readonly #prerequisites: CallPrerequisites;
  readonly #keepWorker: boolean;
  readonly #events: GroupMeshEvents;

  constructor(init: { groupId: string; selfId: string; prerequisites: CallPrerequisites; settings: GroupMeshSettings; events: GroupMeshEvents }) {
    this.groupId = init.groupId;
    this.selfId = init.selfId;
    this.#prerequisites = init.prerequisites;
    this.#events = init.events;
    // Refuses the call up front where media could not be encrypted.
    this.transformApi = chooseTransformApi(init.settings.preferLegacyTransforms);
    this.#keepWorker = init.settings.keepWorkerAfterLeave === true;
    this.crypto = new FrameCryptoClient(
      (report) => {
        this.health.observe(report, performance.now());
        this.#events.changed();
      },
      (message) => {
        this.#events.problem(message);
      },
    );
  }

  isClosed(): boolean {
    return this.#closed !== undefined;
  }

  get keysLoaded(): boolean {
    return this.#keysLoaded;
  }

  get fingerprint(): string {
    if (this.#certificate === null) throw new Error('the group call has no DTLS certificate yet');
    return this.#certificate.fingerprint;
  }

  get report(): GroupCryptoReport {
    return this.crypto.report;
  }

  /** Certificate, camera and microphone, ICE servers: all before the core hears of the call. */
  async prepare(media: GroupMedia): Promise<void> {
    const prerequisites = this.#prerequisites;
    const certificate = takeDtlsCertificate();
    const iceServers = prerequisites.iceServers();
    iceServers.catch(() => undefined);
    const settings = await prerequisites.settings();
    const want = { audio: true, video: media === 'video' && !settings.startCameraOff };
    await refuseIfDenied(want, prerequisites.permissions);
    const local = await LocalMediaControls.open(want, settings, settings.startMuted, () => {
      this.#broadcastState();
      this.#events.changed();
    });
    const [made, ice] = await Promise.all([certificate, iceServers]);
    if (this.isClosed()) {
      // Left while the camera was starting: its light must not stay on.
      local.stopAll();
      return;
    }
    this.media = local;
    this.#senders = { audio: new FanOutSender(local.track('audio') ?? null), video: new FanOutSender(local.track('video') ?? null) };
    local.bindSenders(this.#senders);
    this.#certificate = made;
    this.#ice = ice;
    this.#reconcile();
    this.#events.changed();
  }

  loadKeys(keys: GroupKeys): void {
    if (this.isClosed()) return;
    this.crypto.loadGroupKeys(keys);
    this.#keysLoaded = true;
    this.#events.changed();
  }

  updateMembers(view: GroupView): void {
    if (this.isClosed() || view.groupId !== this.groupId) return;
    this.#view = view;
    this.#reconcile();
  }

  refusePair(userId: string): void {
    this.#refused.add(userId);
    this.#untilPair.delete(userId);
    const pair = this.pairs.get(userId);
    if (pair !== undefined) {
      pair.close();
      this.#forget(userId, pair);
    }
    this.#events.changed();
  }

  receiveSignal(from: string, data: SignalData): void {
    if (this.isClosed() || from === this.selfId || this.#refused.has(from)) return;
    if ('sdp' in data && this.#endedSessions.isStale(from, data.sdp)) return;
    const pair = this.pairs.get(from);
    if (pair !== undefined && !pair.isClosed()) {
      // An offer from a new peer connection of theirs: they started the pair again (theirs was
      // lost first), so ours starts again too, as the answering side, with that offer.
      const remote = pair.peer.pc.remoteDescription?.sdp;
      const offer = 'sdp' in data && data.type === 'offer' ? data.sdp : null;
      if (!pair.initiator && offer !== null && remote !== undefined && sdpSessionId(offer) !== sdpSessionId(remote)) {
        pair.close();
        this.#forget(from, pair);
        this.#open(from);
        this.pairs.get(from)?.signal(data);
        return;
      }
      pair.signal(data);
      return;
    }
    // Held only for someone the call names, and for a bounded number of them; none once on the SFU.
    if (!this.#opening || !this.#named(from)) return;
    let queue = this.#untilPair.get(from);
    if (queue === undefined) {
      if (this.#untilPair.size >= MAX_OTHERS) return;
      queue = new SignalQueue();
      this.#untilPair.set(from, queue);
    }
    queue.push(data);
  }

  /** The call's camera, microphone, worker and senders for the SFU; null before prepare() is done. */
  shared(): SharedGroupMedia | null {
    if (this.media === null || this.#senders === null || this.isClosed()) return null;
    return { crypto: this.crypto, transformApi: this.transformApi, media: this.media, senders: this.#senders, ice: this.#ice };
  }

  /** The call moved to the SFU: no pair opens from now on (the open ones carry on until closePairs). */
  stopOpening(): void {
    this.#opening = false;
    this.#untilPair.clear();
  }

  /** The SFU carries the media now: every pair closes; the camera, microphone and worker stay. */
  closePairs(): void {
    this.stopOpening();
    for (const [userId, pair] of [...this.pairs]) {
      pair.close();
      this.#forget(userId, pair);
    }
    this.#events.changed();
  }

  /** What we tell every member about our media. */
  ownState(): MemberMediaState {
    return { muted: this.media?.muted ?? true, cameraOff: this.media?.cameraOff ?? true, sharing: this.sharing };
  }

  get sharing(): boolean {
    return this.#share?.sharing ?? false;
  }

  /** The member sharing their screen now, other than us; null when nobody does. */
  remoteSharer(): string | null {
    for (const pair of this.pairs.values()) if (!pair.isClosed() && pair.remote.sharing) return pair.userId;
    return null;
  }

  async setMuted(muted: boolean): Promise<void> {
    const done = this.media?.setMuted(muted);
    this.#broadcastState();
    await done;
  }

  async setCameraOff(off: boolean): Promise<void> {
    const done = this.media?.setCameraOff(off);
    this.#broadcastState();
    await done;
  }

  /**
   * Sends `track` in place of the camera on every pair. One sharer at a time: while someone else
   * shares, a new share is refused (they stop first); two who start at the same moment both hear
   * of the other, and the one with the higher user id stops (see #remoteState).
   */
  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    const senders = this.#senders;
    const media = this.media;
    const sharer = this.remoteSharer();
    if (this.isClosed() || senders === null || media === null || sharer !== null) {
      track.stop();
      throw new Error(sharer === null ? 'You can share your screen once the call has started.' : 'Someone else is sharing their screen. Only one person can share at a time.');
    }
    this.#share ??= new ScreenShare(senders, media, () => {
      this.#broadcastState();
      this.#events.changed();
    });
    await this.#share.start(track);
  }

  async stopScreenShare(): Promise<void> {
    await this.#share?.stop();
  }

  /** One getStats sample per pair: what each member's receivers have played out. */
  async memberStats(): Promise<GroupMemberStats[]> {
    const pairs = [...this.pairs.values()].filter((pair) => !pair.isClosed());
    return Promise.all(
      pairs.map(async (pair) => {
        const [progress, sizes] = await Promise.all([sampleMedia(pair.peer.pc), sampleVideoSizes(pair.peer.pc)]);
        return { userId: pair.userId, framesDecoded: progress.framesDecoded, totalSamplesReceived: progress.totalSamplesReceived, received: sizes.received };
      }),
    );
  }

  /** Audio levels of every member with a pair, for the active speaker. */
  audioLevels(): Map<string, number> {
    const levels = new Map<string, number>();
    for (const pair of this.pairs.values()) if (!pair.isClosed()) levels.set(pair.userId, pair.remote.muted ? 0 : pair.audioLevel());
    return levels;
  }

  /**
   * Stops every track (the camera light goes off), closes every pair, and has the worker zero its
   * keys before it is terminated. Safe to call more than once; resolves with the final counts.
   */
  close(): Promise<GroupCryptoReport> {
    this.#closed ??= (async () => {
      this.media?.stopAll();
      this.#share?.dispose();
      for (const pair of this.pairs.values()) pair.close();
      this.#untilPair.clear();
      const report = this.#keepWorker ? this.crypto.report : await this.crypto.wipe();
      this.#events.changed();
      return report;
    })();
    return this.#closed;
  }

  #named(userId: string): boolean {
    const view = this.#view;
    if (view === null) return false;
    return view.owner === userId || view.invitees.includes(userId) || view.members.some((member) => member.userId === userId);
  }

  /** Pairs for every other member in the MLS group; none for anyone gone. */
  #reconcile(): void {
    const view = this.#view;
    if (view === null || this.isClosed()) return;
    const inGroup = new Set(view.members.filter((member) => member.index !== null).map((member) => member.userId));
    for (const [userId, pair] of this.pairs) {
      if (inGroup.has(userId)) continue;
      pair.close();
      this.#forget(userId, pair);
    }
    for (const userId of this.#untilPair.keys()) if (!this.#named(userId)) this.#untilPair.delete(userId);
    if (!inGroup.has(this.selfId) || view.state === 'ended' || !this.#opening) {
      this.#events.changed();
      return;
    }
    for (const userId of inGroup) {
      if (userId === this.selfId || this.pairs.has(userId) || this.#refused.has(userId)) continue;
      this.#open(userId);
    }
    this.#events.changed();
  }

  #open(userId: string): void {
    if (!this.#opening) return;
    const certificate = this.#certificate;
    const media = this.media;
    const senders = this.#senders;
    if (certificate === null || media === null || senders === null) return;
    let pair: GroupPair;
    try {
      pair = new GroupPair({
        userId,
        initiator: this.selfId < userId,
        certificate: certificate.certificate,
        iceServers: this.#ice.iceServers,
        relayOnly: this.#ice.relayOnly,
        captured: media.captured,
        crypto: this.crypto,
        transformApi: this.transformApi,
        events: {
          signal: (data) => {
            this.#events.signal(userId, data);
          },
          changed: () => {
            this.#events.changed();
          },
          state: (state) => {
            this.#remoteState(userId, state);
          },
          lost: (reason) => {
            if (this.isClosed()) return;
            this.#forget(userId, pair);
            console.warn(`group call: the pair with ${userId} was lost (${reason}); starting it again`);
            // Started again while they are still in the call: the offering side offers anew, the
            // other waits for that offer (see receiveSignal).
            setTimeout(() => {
              this.#reconcile();
            }, REOPEN_AFTER_MS);
            this.#events.changed();
          },
        },
      });
    } catch (error) {
      this.#events.failed(error instanceof Error ? error.message : 'The group call could not be set up.');
      return;
    }
    this.pairs.set(userId, pair);
    senders.audio.add(pair.peer.senders.audio);
    senders.video.add(pair.peer.senders.video);
    pair.tell(this.ownState());
    const held = this.#untilPair.get(userId);
    this.#untilPair.delete(userId);
    for (const data of held?.take() ?? []) pair.signal(data);
  }

  #forget(userId: string, pair: GroupPair): void {
    this.#endedSessions.end(userId, pair.remoteSession);
    this.#senders?.audio.remove(pair.peer.senders.audio);
    this.#senders?.video.remove(pair.peer.senders.video);
    if (this.pairs.get(userId) === pair) this.pairs.delete(userId);
  }

  #remoteState(userId: string, state: MemberMediaState): void {
    // Two shares started at the same moment: the lower user id keeps sharing.
    if (state.sharing && this.sharing && userId < this.selfId) {
      void this.stopScreenShare();
      this.#events.notice('Someone else started sharing their screen at the same moment; your share was stopped.');
    }
  }

  #broadcastState(): void {
    if (this.isClosed()) return;
    const state = this.ownState();
    for (const pair of this.pairs.values()) pair.tell(state);
  }
}
