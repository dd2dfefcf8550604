import type { GroupMemberState, GroupSeat, GroupView } from '../../../shared/ipc';
import type { FanOutSender } from '../group/fan-out-sender';
import type { GroupMemberStats } from '../group/group-diagnostics';
import type { GroupRemoteMember } from '../group/group-engine-types';
import type { FrameCryptoClient } from '../frame-crypto-client';
import type { LocalMediaControls } from '../local-media-controls';
import type { TransformApi } from '../transforms';
import { sampleVideoSizes } from '../video-sizes';
import { FeedRoster } from './feed-roster';
import type { SfuIce } from './ice-gathered';
import { JanusSession } from './janus-session';
import type { LayerWanted } from './layer-choice';
import { LayerControl } from './layer-control';
import type { JanusTransport } from './janus-transport';
import { SfuPublisher } from './sfu-publisher';
import { SfuSubscriber } from './sfu-subscriber';
import type { RoomNews } from './videoroom-answers';

/** What the SFU takes from the call's media: captured once, encrypted by the call's one worker. */
export interface SharedGroupMedia {
  crypto: FrameCryptoClient;
  transformApi: TransformApi;
  media: LocalMediaControls;
  /** The call's senders per kind: the publisher's sender joins them, so mute, camera and share reach it too. */
  senders: { audio: FanOutSender; video: FanOutSender };
  ice: SfuIce;
}

export interface SfuSessionEvents {
  changed(): void;
  /** Something the user should see that does not end the call. */
  notice(message: string): void;
}

/** A seat that fails is tried again this long after, while it is still good. */
const RETRY_MS = 3000;
/** How often each member's simulcast layer is looked at again (layer-choice.ts counts in these samples). */
const LAYER_CHECK_MS = 2000;

export const JANUS_UNREACHABLE = 'The meeting server cannot be reached. Trying again…';

/**
 * A group call's media through the company's SFU (docs/group-calls.md, "Meetings over the SFU"):
 * one stream up (SfuPublisher) and every other member's down (SfuSubscriber) over the seat the
 * core gives, SFrame under the same worker and keys as the mesh. It owns only its Janus session
 * and its two connections: the camera, the microphone and the worker are the call's.
 */
/** What an SFU session reads from the call around it: the same for every session of one call. */
export interface SfuDeps {
  /** Each member's state as they last said (kept by the engine, MLS-authenticated by the core). */
  memberState: (userId: string) => GroupMemberState | undefined;
  /** The members on the grid's page now (empty before the grid reports): their video's layer follows. */
  visibleMembers: () => readonly string[];
  /** The core, which carries every Janus request to the seat it issued, with that seat's token. */
  janus: JanusTransport;
}

export class SfuSession {
  readonly groupId: string;
  readonly selfId: string;
  readonly #shared: SharedGroupMedia;
  readonly #events: SfuSessionEvents;
  readonly #deps: SfuDeps;
  #seat: GroupSeat | null = null;
  #session: JanusSession | null = null;
  #publisher: SfuPublisher | null = null;
  #subscriber: SfuSubscriber | null = null;
  #roster = new FeedRoster();
  #members = new Set<string>();
  #connecting: Promise<void> | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #layerCheck: ReturnType<typeof setInterval> | undefined;
  #layerControl = new LayerControl();
  #closed = false;

  constructor(init: { groupId: string; selfId: string; shared: SharedGroupMedia; events: SfuSessionEvents; deps: SfuDeps }) {
    this.groupId = init.groupId;
    this.selfId = init.selfId;
    this.#shared = init.shared;
    this.#events = init.events;
    this.#deps = init.deps;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Publishing, and the subscription's connection up. */
  get connected(): boolean {
    return this.#publisher?.pc.connectionState === 'connected';
  }

  updateMembers(view: GroupView): void {
    if (this.#closed || view.groupId !== this.groupId) return;
    const inGroup = view.state === 'ended' ? [] : view.members.filter((member) => member.index !== null).map((member) => member.userId);
    this.#members = new Set(inGroup.includes(this.selfId) ? inGroup : []);
    this.#resubscribe();
  }

  /**
   * A (fresh) seat: the first opens the Janus session. A later one only renews the room token here:
   * the core sends every request with its newest seat's token.
   */
  receiveSeat(seat: GroupSeat): void {
    if (this.#closed) return;
    this.#seat = seat;
    if (this.#session !== null && !this.#session.isClosed()) return;
    this.#connect();
  }

  remoteSharer(): string | null {
    for (const userId of this.#members) if (userId !== this.selfId && this.#deps.memberState(userId)?.sharing === true) return userId;
    return null;
  }

  /** Every other member of the group, with their stream once the SFU forwards it. */
  remoteMembers(): GroupRemoteMember[] {
    const streams = this.#subscriber?.streams() ?? new Map<string, MediaStream>();
    const up = this.#subscriber?.connected ?? false;
    return [...this.#members]
      .filter((userId) => userId !== this.selfId)
      .map((userId) => {
        const stream = streams.get(userId) ?? null;
        const state = this.#deps.memberState(userId);
        return {
          userId,
          stream,
          connected: up && stream !== null,
          reconnecting: false,
          muted: state?.muted ?? false,
          cameraOff: state?.cameraOff ?? false,
          sharing: state?.sharing ?? false,
        };
      });
  }

  /** What each member's slots decoded, from the subscription's one connection. */
  async memberStats(): Promise<GroupMemberStats[]> {
    const subscriber = this.#subscriber;
    if (subscriber === null || this.#closed) return [];
    const [report, sizes] = await Promise.all([subscriber.pc.getStats(), sampleVideoSizes(subscriber.pc)]);
    const byUser = new Map<string, GroupMemberStats>();
    report.forEach((stat: { type?: string; kind?: string; mid?: string; framesDecoded?: number; totalSamplesReceived?: number }) => {
      if (stat.type !== 'inbound-rtp' || typeof stat.mid !== 'string') return;
      const userId = subscriber.memberOfMid(stat.mid);
      if (userId === null) return;
      const entry = byUser.get(userId) ?? { userId, framesDecoded: 0, totalSamplesReceived: 0, received: sizes.received };
      entry.framesDecoded += stat.kind === 'video' ? (stat.framesDecoded ?? 0) : 0;
      entry.totalSamplesReceived += stat.kind === 'audio' ? (stat.totalSamplesReceived ?? 0) : 0;
      byUser.set(userId, entry);
    });
    return [...byUser.values()];
  }

  /** The layer (or pause) Janus agreed to send of each member's video (for diagnostics). */
  videoLayers(): Map<string, LayerWanted> {
    return this.#subscriber?.videoLayers() ?? new Map<string, LayerWanted>();
  }

  audioLevels(): Map<string, number> {
    const levels = new Map<string, number>();
    const subscriber = this.#subscriber;
    if (subscriber === null) return levels;
    for (const transceiver of subscriber.pc.getTransceivers()) {
      const mid = transceiver.mid;
      const userId = mid === null ? null : subscriber.memberOfMid(mid);
      if (userId === null || transceiver.receiver.track.kind !== 'audio') continue;
      const level = transceiver.receiver.getSynchronizationSources()[0]?.audioLevel;
      levels.set(userId, this.#deps.memberState(userId)?.muted === true || typeof level !== 'number' || !Number.isFinite(level) ? 0 : level);
    }
    return levels;
  }

  /** Closes the connections and the Janus session; the camera and the worker stay the call's. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#teardown();
    this.#events.changed();
  }

  #connect(): void {
    if (this.#connecting !== null || this.#closed) return;
    const seat = this.#seat;
    if (seat === null) return;
    this.#connecting = this.#open(seat)
      .catch((error: unknown) => {
        this.#teardown();
        if (this.#closed) return;
        console.warn(`group call: the SFU did not take the seat (${error instanceof Error ? error.message : 'unknown'})`);
        this.#events.notice(JANUS_UNREACHABLE);
        this.#scheduleRetry();
      })
      .finally(() => {
        this.#connecting = null;
      });
  }

  async #open(seat: GroupSeat): Promise<void> {
    const session = await JanusSession.open(
      this.#deps.janus,
      {
        reachable: (reachable) => {
          if (!reachable) this.#events.notice(JANUS_UNREACHABLE);
        },
        lost: () => {
          this.#lost('the meeting server lost the session');
        },
      },
    );
    if (this.#closed) {
      session.close();
      return;
    }
    this.#session = session;
    const { media, crypto, transformApi, ice, senders } = this.#shared;
    const tracks: Partial<Record<'audio' | 'video', MediaStreamTrack>> = {};
    const audio = senders.audio.track ?? media.track('audio') ?? null;
    const video = senders.video.track;
    if (audio !== null) tracks.audio = audio;
    if (video !== null) tracks.video = video;
    const publisher = await SfuPublisher.start({
      session,
      seat,
      selfId: this.selfId,
      tracks,
      crypto,
      transformApi,
      ice,
      news: (news) => {
        this.#news(news);
      },
      hangup: (reason) => {
        this.#lost(`the meeting server hung up (${reason})`);
      },
    });
    if (this.isClosed() || !this.#holds(session)) {
      publisher.close();
      return;
    }
    this.#publisher = publisher;
    senders.audio.add(publisher.senders.audio);
    senders.video.add(publisher.senders.video);
    publisher.pc.addEventListener('connectionstatechange', () => {
      this.#events.changed();
    });
    this.#subscriber = this.#subscribe(session, seat.room, publisher.privateId);
    this.#roster.add(publisher.present);
    this.#resubscribe();
    this.#layerCheck = setInterval(() => {
      void this.#adjustLayers();
    }, LAYER_CHECK_MS);
    this.#events.changed();
  }

  /** Each member's simulcast layer from the grid's page and how this receiver copes (layer-choice.ts). */
  async #adjustLayers(): Promise<void> {
    const subscriber = this.#subscriber;
    if (subscriber === null || subscriber.isClosed() || !subscriber.connected) return;
    const report = await subscriber.pc.getStats();
    if (subscriber !== this.#subscriber || subscriber.isClosed()) return;
    const wanted = this.#layerControl.update(report, (mid) => subscriber.memberOfMid(mid), this.#deps.visibleMembers());
    await subscriber.setVideoLayers(wanted);
  }

  /**
   * The subscription, made again from scratch when a step of it fails (Janus did not answer, or
   * refused): what Janus applied of the failed step is unknown, so nothing of it is kept.
   */
  #subscribe(session: JanusSession, room: number, privateId: number): SfuSubscriber {
    const { crypto, transformApi, ice } = this.#shared;
    const subscriber: SfuSubscriber = new SfuSubscriber({
      session,
      room,
      privateId,
      roomToken: () => this.#seat?.roomToken ?? '',
      crypto,
      transformApi,
      ice,
      changed: () => {
        this.#events.changed();
      },
      problem: (message) => {
        console.warn(`group call: ${message}; subscribing again`);
        setTimeout(() => {
          if (this.isClosed() || this.#subscriber !== subscriber || !this.#holds(session)) return;
          subscriber.close();
          this.#subscriber = this.#subscribe(session, room, privateId);
          this.#resubscribe();
          this.#events.changed();
        }, RETRY_MS);
      },
    });
    return subscriber;
  }

  /** Whether `session` is still this one's (a loss or close replaces it while a request is out). */
  #holds(session: JanusSession): boolean {
    return this.#session === session;
  }

  #news(news: RoomNews): void {
    if (this.#closed) return;
    switch (news.kind) {
      case 'publishers':
        this.#roster.add(news.publishers);
        this.#resubscribe();
        return;
      case 'gone':
        this.#roster.remove(news.id);
        this.#resubscribe();
        return;
      case 'kicked':
        // The server takes a member out of the room when it is no longer in the call; the core's
        // view ends the call here then. Otherwise a fresh seat brings this member back.
        this.#lost('the meeting server took this member out of the room');
        return;
      case 'other':
        return;
    }
  }

  #resubscribe(): void {
    void this.#subscriber?.sync(this.#roster.wanted(this.#members, this.selfId));
  }

  /** The Janus side is gone: everything of it is let go, and opened again from the seat in hand while it is good. */
  #lost(why: string): void {
    if (this.#closed) return;
    console.warn(`group call: ${why}`);
    this.#teardown();
    this.#events.changed();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      const seat = this.#seat;
      if (this.#closed || seat === null || this.#session !== null) return;
      // A seat past its time is refused by Janus anyway: the core's next one brings the retry.
      if (seat.expiresAt > Date.now()) this.#connect();
    }, RETRY_MS);
  }

  #teardown(): void {
    clearInterval(this.#layerCheck);
    this.#layerControl = new LayerControl();
    const publisher = this.#publisher;
    if (publisher !== null) {
      this.#shared.senders.audio.remove(publisher.senders.audio);
      this.#shared.senders.video.remove(publisher.senders.video);
      publisher.close();
    }
    this.#subscriber?.close();
    this.#session?.close();
    this.#publisher = null;
    this.#subscriber = null;
    this.#session = null;
    // A new Janus session hears the room's publishers afresh in its join.
    this.#roster = new FeedRoster();
  }
}
