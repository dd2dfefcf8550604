/**
 * In-page instrumentation for the group set-up benchmark (bench/group-setup.bench.ts): marks on
 * the pages of a Sealcall group call and of the raw mesh floor. Every function here runs inside a
 * page (through page.evaluate), so each is self-contained. Times are performance.timeOrigin +
 * performance.now(): wall-clock milliseconds, comparable across the pages of one machine.
 */
import type {} from '../e2e/harness/page-globals';
import type {} from '../renderer/call/group/group-diagnostics';

export interface GroupMark {
  readonly name: string;
  readonly at: number;
}

/** The floor's signalling between two mesh pages, relayed by Node. */
export interface MeshMessage {
  type: 'start' | 'offer' | 'answer' | 'candidate';
  sdp?: string | undefined;
  candidate?: RTCIceCandidateInit;
}

interface GroupBenchState {
  marks: GroupMark[];
  mark(name: string): void;
  /** Marks `first-frame <label>` at the first video frame the page presents from `stream`. */
  watchFirstFrame(stream: MediaStream, label: string): void;
  disarm?: () => void;
}

declare global {
  interface Window {
    __groupBench?: GroupBenchState;
    /** Installed by Node (page.exposeFunction): sends to the mesh page of that index. */
    __meshSend?: (to: number, message: MeshMessage) => Promise<void>;
    __meshReceive?: ((from: number, message: MeshMessage) => void) | undefined;
  }
}

/**
 * Marks each peer connection's creation ('pc-created'), its first remote description ('remote-sdp')
 * and its first ICE connection ('ice-connected'), without touching the app: simple-peer and the
 * floor both construct window.RTCPeerConnection, which this subclasses.
 */
export function installGroupTimeline(): void {
  if (window.__groupBench !== undefined) return;
  const marks: GroupMark[] = [];
  const mark = (name: string) => {
    marks.push({ name, at: performance.timeOrigin + performance.now() });
  };
  const state: GroupBenchState = {
    marks,
    mark,
    watchFirstFrame(stream, label) {
      const video = document.createElement('video');
      video.muted = true;
      video.hidden = true;
      video.srcObject = stream;
      document.body.append(video);
      video.requestVideoFrameCallback(() => {
        mark(`first-frame ${label}`);
      });
      void video.play().catch(() => undefined);
      const previous = state.disarm;
      state.disarm = () => {
        previous?.();
        video.srcObject = null;
        video.remove();
      };
    },
  };
  window.__groupBench = state;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    #described = false;

    constructor(config?: RTCConfiguration) {
      super(config);
      mark('pc-created');
      let up = false;
      this.addEventListener('iceconnectionstatechange', () => {
        if (up || (this.iceConnectionState !== 'connected' && this.iceConnectionState !== 'completed')) return;
        up = true;
        mark('ice-connected');
      });
    }

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      if (!this.#described) mark('remote-sdp');
      this.#described = true;
      return super.setRemoteDescription(description);
    }
  };
}

/**
 * Arms a Sealcall page for the next group call: an invitee accepts with video the moment it rings
 * (marked 'ring' and 'accept'); every page marks its first `keys` event of each epoch ('keys <n>',
 * the moment only: the keys are neither kept nor read) and the first presented video frame from
 * each other member ('first-frame <userId>').
 */
export function armGroupPage(): void {
  const state = window.__groupBench;
  const diagnostics = window.sealcallGroupDiagnostics;
  const bridge = window.sealcall;
  if (state === undefined || diagnostics === undefined || bridge === undefined) throw new Error('the page has no group timeline or no group engine');
  state.disarm?.();
  state.disarm = undefined;
  state.marks.length = 0;
  const engine = diagnostics.engine;
  let answered = false;
  const watched = new Set<string>();
  const check = () => {
    const current = engine.getState();
    if (!answered && current.view?.state === 'incoming') {
      answered = true;
      state.mark('ring');
      state.mark('accept');
      void engine.accept('video');
    }
    for (const member of current.remote) {
      if (watched.has(member.userId) || member.stream === null || member.stream.getVideoTracks().length === 0) continue;
      watched.add(member.userId);
      state.watchFirstFrame(member.stream, member.userId);
    }
  };
  const unsubscribeEngine = engine.subscribe(check);
  // A track can join a stream without a state change: looked for again until the call is up.
  const timer = setInterval(check, 50);
  const epochs = new Set<number>();
  const unsubscribeEvents = bridge.on('group.event', (event) => {
    if (event.kind !== 'keys' || epochs.has(event.keys.epoch)) return;
    epochs.add(event.keys.epoch);
    state.mark(`keys ${String(event.keys.epoch)}`);
  });
  state.disarm = () => {
    clearInterval(timer);
    unsubscribeEngine();
    unsubscribeEvents();
  };
}

/** The owner's click on "Start group video call": what the button runs, the engine's start(). */
export function placeGroupCall(invitees: string[]): void {
  const state = window.__groupBench;
  const engine = window.sealcallGroupDiagnostics?.engine;
  if (state === undefined || engine === undefined) throw new Error('the page has no group timeline or no group engine');
  state.mark('click');
  void engine.start(invitees, 'video');
}

/** The page's view of the group call: its state ('none' with no call) and whether media is still open. */
export function groupCallState(): { view: string; media: boolean } {
  const current = window.sealcallGroupDiagnostics?.engine.getState();
  return { view: current?.view?.state ?? 'none', media: current?.localStream != null };
}

/** Per other member, the video frames this page's worker has decrypted from them. */
export function decryptedVideoBySender(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sender of window.sealcallGroupDiagnostics?.counters().senders ?? []) {
    counts[sender.userId] = sender.decrypted.video;
  }
  return counts;
}

export function readGroupMarks(): GroupMark[] {
  return [...(window.__groupBench?.marks ?? [])];
}

export function disarmGroupPage(): void {
  window.__groupBench?.disarm?.();
  if (window.__groupBench !== undefined) window.__groupBench.disarm = undefined;
}

/**
 * The raw floor: page `index` of `count` in a full mesh of plain RTCPeerConnections, one per other
 * page, signalled through Node (window.__meshSend), the lower index offering. No server, no
 * handshake, no simple-peer, no transforms; the same capture constraints and codecs (VP8, Opus) as
 * a Sealcall call. Each page shows a call screen as the group screen does: every other page's
 * video in a tile with its audio playing, and a small self-view. Starts on a 'start' message.
 */
export function armMeshPage(init: { index: number; count: number }): void {
  const state = window.__groupBench;
  if (state === undefined) throw new Error('the page has no group timeline');
  state.disarm?.();
  state.disarm = undefined;
  state.marks.length = 0;
  const send = (to: number, message: MeshMessage) => {
    void window.__meshSend?.(to, message);
  };
  const constraints: MediaStreamConstraints = {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  };
  const screen = document.createElement('div');
  screen.style.cssText = 'position:fixed;inset:0;display:grid;grid-template-columns:1fr 1fr';
  document.body.append(screen);
  const peers = new Map<number, { pc: RTCPeerConnection; pending: RTCIceCandidateInit[] }>();
  let capture: Promise<MediaStream> | undefined;
  const captured = () => {
    capture ??= navigator.mediaDevices.getUserMedia(constraints).then((stream) => {
      state.mark('captured');
      const preview = document.createElement('video');
      preview.style.cssText = 'position:fixed;right:16px;bottom:16px;width:240px';
      preview.muted = true;
      preview.srcObject = stream;
      screen.append(preview);
      void preview.play().catch(() => undefined);
      return stream;
    });
    return capture;
  };
  const peerFor = async (other: number) => {
    const known = peers.get(other);
    if (known !== undefined) return known;
    const stream = await captured();
    const again = peers.get(other);
    if (again !== undefined) return again;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const peer = { pc, pending: [] as RTCIceCandidateInit[] };
    peers.set(other, peer);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.sender.track?.kind;
      const wanted = kind === 'video' ? 'video/vp8' : 'audio/opus';
      const codecs = RTCRtpReceiver.getCapabilities(kind ?? 'audio')?.codecs ?? [];
      transceiver.setCodecPreferences(codecs.filter((codec) => codec.mimeType.toLowerCase() === wanted));
    }
    const tile = document.createElement('video');
    tile.style.cssText = 'width:100%;height:100%;object-fit:cover';
    screen.append(tile);
    pc.addEventListener('track', (event) => {
      if (tile.srcObject === null) {
        tile.srcObject = event.streams[0] ?? new MediaStream([event.track]);
        void tile.play().catch(() => undefined);
      }
      if (event.track.kind === 'video') state.watchFirstFrame(new MediaStream([event.track]), `page ${String(other)}`);
    });
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate !== null) send(other, { type: 'candidate', candidate: event.candidate.toJSON() });
    });
    return peer;
  };
  const flush = async (peer: { pc: RTCPeerConnection; pending: RTCIceCandidateInit[] }) => {
    for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate);
  };

  window.__meshReceive = (from, message) => {
    void (async () => {
      if (message.type === 'start') {
        await captured();
        for (let other = init.index + 1; other < init.count; other++) {
          const peer = await peerFor(other);
          await peer.pc.setLocalDescription();
          send(other, { type: 'offer', sdp: peer.pc.localDescription?.sdp });
        }
      } else if (message.type === 'offer') {
        const peer = await peerFor(from);
        await peer.pc.setRemoteDescription({ type: 'offer', sdp: message.sdp ?? '' });
        await peer.pc.setLocalDescription();
        send(from, { type: 'answer', sdp: peer.pc.localDescription?.sdp });
        await flush(peer);
      } else if (message.type === 'answer') {
        const peer = peers.get(from);
        if (peer === undefined) return;
        await peer.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp ?? '' });
        await flush(peer);
      } else if (message.candidate !== undefined) {
        const peer = await peerFor(from);
        if (peer.pc.remoteDescription === null) peer.pending.push(message.candidate);
        else await peer.pc.addIceCandidate(message.candidate);
      }
    })();
  };
  // The first frames watched later chain their own undoing onto this.
  state.disarm = () => {
    window.__meshReceive = undefined;
    for (const { pc } of peers.values()) pc.close();
    void capture?.then((stream) => {
      for (const track of stream.getTracks()) track.stop();
    });
    screen.remove();
  };
}

/** The floor's click: marked on the first page; Node then hands every page 'start'. */
export function markMeshClick(): void {
  window.__groupBench?.mark('click');
}

/** Hands a mesh page a message from another (Node relays them). */
export function deliverMeshMessage(delivery: { from: number; message: MeshMessage }): void {
  window.__meshReceive?.(delivery.from, delivery.message);
}
