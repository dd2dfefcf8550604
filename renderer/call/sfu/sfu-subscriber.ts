import type { FrameCryptoClient } from '../frame-crypto-client';
import { attachFrameTransform, type TransformApi } from '../transforms';
import { gatheredSdp, sfuPeerConnection, type SfuIce } from './ice-gathered';
import type { JanusSession, PluginAnswer } from './janus-session';
import type { LayerWanted } from './layer-choice';
import { readStreams } from './videoroom-answers';

export interface SfuSubscriberInit {
  session: JanusSession;
  room: number;
  /** The publisher's private id: Janus's room takes subscriptions only under it. */
  privateId: number;
  /** The seat's room token now (a fresh seat changes it). */
  roomToken(): string;
  crypto: FrameCryptoClient;
  transformApi: TransformApi;
  ice: SfuIce;
  /** Streams or the connection changed. */
  changed(): void;
  /** Something did not work out; the subscription goes on with what it has. */
  problem(message: string): void;
}

/**
 * Every other member's media down from the SFU over one connection (Janus's multistream
 * subscriber: one handle, feeds added and removed with `update`, Janus offering each time). Each
 * m-line's receiver is a slot of the frame-crypto worker bound to the member whose feed Janus says
 * it carries, before the offer that makes or reuses it is applied: frames of anyone else fail there.
 */
export class SfuSubscriber {
  readonly pc: RTCPeerConnection;
  #handle: number | null = null;
  /** Feed id to user id: what this subscription asked Janus for. */
  #feeds = new Map<number, string>();
  /** Mid to the member its slot is bound to now. */
  readonly #slots = new Map<string, string | null>();
  readonly #attached = new WeakSet<RTCRtpReceiver>();
  /** Mid to the layer Janus was last told for its video (a fresh stream at Janus sends its top layer). */
  readonly #layers = new Map<string, LayerWanted>();
  #wantedLayers: ReadonlyMap<string, LayerWanted> = new Map();
  #layersQueued = false;
  /** Each member's stream as last built, replaced (a new object) when its tracks change. */
  readonly #streams = new Map<string, MediaStream>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #init: SfuSubscriberInit;

  constructor(init: SfuSubscriberInit) {
    this.#init = init;
    this.pc = sfuPeerConnection(init.ice, init.transformApi === 'legacy');
    // Janus offers, so its offer makes the receivers: each gets its transform in the track event,
    // which fires while the offer is applied, before any frame (transforms.ts).
    this.pc.addEventListener('track', (event) => {
      const { receiver, transceiver } = event;
      const mid = transceiver.mid;
      if (this.#attached.has(receiver) || mid === null) return;
      this.#attached.add(receiver);
      attachFrameTransform(receiver, event.track.kind === 'audio' ? 'audio' : 'video', 'receive', init.crypto, init.transformApi, mid);
    });
    this.pc.addEventListener('connectionstatechange', () => {
      init.changed();
    });
  }

  isClosed(): boolean {
    return this.#closed;
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** The member each mid carries now (for stats). */
  memberOfMid(mid: string): string | null {
    return this.#slots.get(mid) ?? null;
  }

  /** The layer (or pause) Janus last agreed to send of each member's video. */
  videoLayers(): Map<string, LayerWanted> {
    const layers = new Map<string, LayerWanted>();
    for (const [mid, layer] of this.#layers) {
      const userId = this.#slots.get(mid) ?? null;
      if (userId !== null) layers.set(userId, layer);
    }
    return layers;
  }

  /** Each member's stream from the last negotiation; a member with no live slot is absent. */
  streams(): ReadonlyMap<string, MediaStream> {
    return this.#streams;
  }

  /** Subscribes to exactly these feeds (feed id to user id), in order with any change before. */
  sync(wanted: ReadonlyMap<number, string>): Promise<void> {
    const target = new Map(wanted);
    this.#queue = this.#queue.then(() => this.#sync(target)).catch((error: unknown) => {
      if (!this.#closed) this.#init.problem(error instanceof Error ? error.message : 'a subscription to the meeting server failed');
    });
    return this.#queue;
  }

  /**
   * Tells Janus which simulcast layer of each member's video to send here, or to send none
   * (VideoRoom `configure`, one entry per video mid that changed), in order with the subscription's
   * other steps. A refusal is only logged: the next call asks again.
   */
  setVideoLayers(wanted: ReadonlyMap<string, LayerWanted>): Promise<void> {
    this.#wantedLayers = wanted;
    // One change waits in the queue at most, taking the latest wish when it runs: a Janus slow to
    // answer (up to a minute on a loaded machine) must not pile up a request every sample.
    if (this.#layersQueued) return this.#queue;
    this.#layersQueued = true;
    this.#queue = this.#queue
      .then(() => {
        this.#layersQueued = false;
        return this.#configureLayers(this.#wantedLayers);
      })
      .catch((error: unknown) => {
        console.warn(`group call: the meeting server did not take a layer change (${error instanceof Error ? error.message : 'unknown'})`);
      });
    return this.#queue;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.close();
    if (this.#handle !== null && !this.#init.session.isClosed()) this.#init.session.detach(this.#handle);
    this.#streams.clear();
  }

  async #sync(wanted: Map<number, string>): Promise<void> {
    if (this.#closed) return;
    const add = [...wanted.keys()].filter((feed) => this.#feeds.get(feed) !== wanted.get(feed));
    const drop = [...this.#feeds.keys()].filter((feed) => wanted.get(feed) !== this.#feeds.get(feed));
    if (add.length === 0 && drop.length === 0) return;
    const { session } = this.#init;
    // A dropped feed's slots stop opening anything at once, before Janus hears of it.
    for (const feed of drop) this.#feeds.delete(feed);
    for (const [mid, userId] of this.#slots) if (userId !== null && ![...this.#feeds.values()].includes(userId)) this.#bind(mid, null);
    for (const feed of add) {
      const userId = wanted.get(feed);
      if (userId !== undefined) this.#feeds.set(feed, userId);
    }
    if (this.#handle === null) {
      if (add.length === 0) return;
      const handle = await session.attach(
        (answer) => {
          // Janus renegotiates on its own when a publisher it forwards goes away.
          if (answer.jsep?.type === 'offer' || answer.data['videoroom'] === 'updated') this.#queue = this.#queue.then(() => this.#negotiate(answer)).catch(() => undefined);
        },
        () => {
          this.#init.changed();
        },
      );
      this.#handle = handle;
      const joined = await session.request(handle, {
        request: 'join',
        ptype: 'subscriber',
        room: this.#init.room,
        private_id: this.#init.privateId,
        token: this.#init.roomToken(),
        streams: add.map((feed) => ({ feed })),
      });
      await this.#negotiate(joined);
      return;
    }
    const answer = await session.request(this.#handle, {
      request: 'update',
      ...(add.length === 0 ? {} : { subscribe: add.map((feed) => ({ feed })) }),
      ...(drop.length === 0 ? {} : { unsubscribe: drop.map((feed) => ({ feed })) }),
    });
    await this.#negotiate(answer);
  }

  /** Binds every slot Janus's answer lists to its feed's member, then applies its offer (if any) and answers. */
  async #negotiate(answer: PluginAnswer): Promise<void> {
    if (this.#closed || this.#handle === null) return;
    const streams = readStreams(answer.data);
    if (streams !== undefined) {
      const listed = new Set<string>();
      for (const stream of streams) {
        listed.add(stream.mid);
        this.#bind(stream.mid, this.#feeds.get(stream.feed) ?? null);
      }
      for (const mid of this.#slots.keys()) if (!listed.has(mid)) this.#bind(mid, null);
    }
    const offer = answer.jsep;
    if (offer?.type === 'offer') {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      const sdp = await gatheredSdp(this.pc);
      if (this.isClosed()) return;
      await this.#init.session.request(this.#handle, { request: 'start' }, { type: 'answer', sdp, e2ee: true });
    }
    this.#rebuildStreams();
    this.#init.changed();
  }

  async #configureLayers(wanted: ReadonlyMap<string, LayerWanted>): Promise<void> {
    if (this.#closed || this.#handle === null) return;
    const changes: { mid: string; layer: LayerWanted }[] = [];
    for (const transceiver of this.pc.getTransceivers()) {
      const mid = transceiver.mid;
      const userId = mid === null ? null : (this.#slots.get(mid) ?? null);
      if (mid === null || userId === null || transceiver.receiver.track.kind !== 'video') continue;
      const layer = wanted.get(userId);
      if (layer !== undefined && this.#layers.get(mid) !== layer) changes.push({ mid, layer });
    }
    if (changes.length === 0) return;
    // Forgotten until Janus says yes: a failed request is asked again next time.
    for (const { mid } of changes) this.#layers.delete(mid);
    const streams = changes.map(({ mid, layer }) => (layer === 'paused' ? { mid, send: false } : { mid, send: true, substream: layer }));
    await this.#init.session.request(this.#handle, { request: 'configure', streams });
    for (const { mid, layer } of changes) this.#layers.set(mid, layer);
  }

  #bind(mid: string, userId: string | null): void {
    if (this.#slots.get(mid) === userId && this.#slots.has(mid)) return;
    // Another feed in this slot starts at Janus's defaults.
    this.#layers.delete(mid);
    this.#slots.set(mid, userId);
    this.#init.crypto.bindSlot(mid, userId);
  }

  /** Each member's tracks from the slots bound to them. */
  #rebuildStreams(): void {
    const tracks = new Map<string, MediaStreamTrack[]>();
    for (const transceiver of this.pc.getTransceivers()) {
      const mid = transceiver.mid;
      const userId = mid === null ? null : (this.#slots.get(mid) ?? null);
      if (userId === null || transceiver.currentDirection === 'inactive' || transceiver.currentDirection === 'stopped') continue;
      const list = tracks.get(userId) ?? [];
      list.push(transceiver.receiver.track);
      tracks.set(userId, list);
    }
    for (const userId of [...this.#streams.keys()]) if (!tracks.has(userId)) this.#streams.delete(userId);
    for (const [userId, list] of tracks) {
      const current = this.#streams.get(userId);
      const same = current !== undefined && current.getTracks().length === list.length && list.every((track) => current.getTracks().includes(track));
      if (!same) this.#streams.set(userId, new MediaStream(list));
    }
  }
}
