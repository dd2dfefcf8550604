/**
 * In-page instrumentation for the call benchmarks. Every function here runs inside a page (through
 * page.evaluate), so each is self-contained. Timestamps are performance.timeOrigin +
 * performance.now(): wall-clock milliseconds with the page's fine timer, comparable across the
 * pages of one machine, so Bob's ring can be placed on Alice's timeline.
 */
import type {} from '../e2e/harness/page-globals';
import type {} from '../renderer/call/diagnostics';

export interface Mark {
  readonly name: string;
  readonly at: number;
}

interface BenchPageState {
  marks: Mark[];
  mark(name: string): void;
  /** Plays a stream's video in a hidden element and marks its first presented frame. */
  watchFirstFrame(stream: MediaStream): void;
  /** Undoes the current call's watchers. */
  disarm?: () => void;
  /** Every peer connection the page made, newest last. */
  connections: RTCPeerConnection[];
  /** The floor call's peer connection and captured stream, to close between calls. */
  floor?: { pc: RTCPeerConnection; stream: MediaStream; screen: HTMLElement };
}

/** The floor call's signalling, relayed by Node between the two floor pages. */
/**
 * The floor call through encoded transforms: 'pump' reads and writes every frame in the worker's JS
 * as Sealcall's worker does, encrypting nothing; 'native' pipes the streams with no JS per frame;
 * an SFrame worker is Sealcall's own built frame-crypto worker (its script's URL) with keys made by
 * the benchmark, so the floor call carries E2EE without the app around it.
 */
export type PassThrough = 'pump' | 'native' | SFrameFloor;

export interface SFrameFloor {
  /** The built frame-crypto worker's script, relative to the page. */
  readonly worker: string;
  /** The 32-byte base key each side sends under; the other side receives under it. */
  readonly callerSends: readonly number[];
  readonly calleeSends: readonly number[];
}

export interface FloorMessage {
  type: 'start' | 'offer' | 'answer' | 'candidate';
  sdp?: string | undefined;
  candidate?: RTCIceCandidateInit;
}

declare global {
  interface Window {
    __bench?: BenchPageState;
    /** Installed by Node (page.exposeFunction): sends to the other floor page. */
    __benchFloorSend?: (message: FloorMessage) => Promise<void>;
    __benchFloorReceive?: ((message: FloorMessage) => void) | undefined;
  }
}

/**
 * Marks what a call set-up goes through, without touching the app: camera and microphone capture,
 * DTLS certificate generation, each peer connection's descriptions and ICE and DTLS states.
 */
export function installCallTimeline(): void {
  if (window.__bench !== undefined) return;
  const marks: Mark[] = [];
  const mark = (name: string) => {
    marks.push({ name, at: performance.timeOrigin + performance.now() });
  };
  const connections: RTCPeerConnection[] = [];
  const state: BenchPageState = {
    marks,
    mark,
    connections,
    watchFirstFrame(stream) {
      const video = document.createElement('video');
      video.muted = true;
      video.hidden = true;
      video.srcObject = stream;
      document.body.append(video);
      video.requestVideoFrameCallback(() => {
        mark('first-frame');
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
  window.__bench = state;

  const Original = window.RTCPeerConnection;
  const generate = Original.generateCertificate.bind(Original);
  Original.generateCertificate = async (algorithm) => {
    mark('cert-start');
    const certificate = await generate(algorithm);
    mark('cert-end');
    return certificate;
  };
  // The promise forms of setLocalDescription and setRemoteDescription, the ones the app and simple-peer use.
  type Describe = (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) => Promise<void>;
  const wrap = (method: 'setLocalDescription' | 'setRemoteDescription', after: (pc: RTCPeerConnection, description?: RTCSessionDescriptionInit) => void) => {
    const original = Reflect.get(Original.prototype, method) as Describe;
    const wrapped: Describe = async function (this: RTCPeerConnection, description) {
      if (method === 'setRemoteDescription') mark(`remote-${description?.type ?? 'none'}-start`);
      await original.call(this, description);
      after(this, description);
    };
    Reflect.set(Original.prototype, method, wrapped);
  };
  wrap('setLocalDescription', (pc) => {
    mark(`local-${pc.localDescription?.type ?? 'none'}`);
  });
  wrap('setRemoteDescription', (_pc, description) => {
    mark(`remote-${description?.type ?? 'none'}`);
  });
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      mark('pc-created');
      connections.push(this);
      this.addEventListener('iceconnectionstatechange', () => {
        mark(`ice-${this.iceConnectionState}`);
      });
      this.addEventListener('connectionstatechange', () => {
        mark(`pc-${this.connectionState}`);
      });
      this.addEventListener('icegatheringstatechange', () => {
        mark(`gathering-${this.iceGatheringState}`);
      });
    }
  };

  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    mark('gum-start');
    try {
      return await getUserMedia(constraints);
    } finally {
      mark('gum-end');
    }
  };
}

/**
 * Arms one Sealcall page for the next call. The caller marks its first decoded remote frame; the
 * callee answers as soon as it rings, with no human delay (marked as 'ring' and 'accept').
 */
export function armSealcallPage(role: 'caller' | 'callee'): void {
  const state = window.__bench;
  const diagnostics = window.sealcallDiagnostics;
  const bridge = window.sealcall;
  if (state === undefined || diagnostics === undefined || bridge === undefined) throw new Error('the page has no call timeline or no engine');
  state.disarm?.();
  state.disarm = undefined;
  state.marks.length = 0;
  const engine = diagnostics.engine;
  let watching = false;
  let answered = false;
  let lastCallState = '';
  const unsubscribeEngine = engine.subscribe((current) => {
    const callState = current.call?.state ?? 'none';
    if (callState !== lastCallState) {
      lastCallState = callState;
      state.mark(`call-${callState}`);
    }
    if (role === 'caller' && !watching && current.remoteStream !== null) {
      watching = true;
      state.watchFirstFrame(current.remoteStream);
    }
    if (role === 'callee' && !answered && callState === 'incoming') {
      answered = true;
      state.mark('ring');
      queueMicrotask(() => {
        state.mark('accept');
        void engine.accept({ audio: true, video: true });
      });
    }
  });
  // Only the moment is noted: the keys themselves are neither kept nor read.
  const unsubscribeKeys = bridge.on('call.event', (event) => {
    if (event.kind === 'keys') state.mark('keys');
  });
  state.disarm = () => {
    unsubscribeEngine();
    unsubscribeKeys();
  };
}

/** The click-equivalent: what the lobby's "Start call" runs, the engine's call(). */
export function placeSealcallCall(calleeId: string): void {
  const state = window.__bench;
  const engine = window.sealcallDiagnostics?.engine;
  if (state === undefined || engine === undefined) throw new Error('the page has no call timeline or no engine');
  state.mark('click');
  void engine.call(calleeId, { audio: true, video: true });
}

/** The call state each page's engine is in, for waiting between calls. */
export function sealcallCallState(): string {
  return window.sealcallDiagnostics?.engine.getState().call?.state ?? 'none';
}

export function readMarks(): Mark[] {
  return [...(window.__bench?.marks ?? [])];
}

/*
 * The floor: a bare WebRTC call between two pages, each in its own browser context (so its own
 * renderer process, as Alice's and Bob's are), signalled through Node (window.__benchFloorSend)
 * (no server, no handshake, no transforms), with the same capture constraints and codecs as a
 * Sealcall call. The callee captures and answers as soon as the offer arrives.
 */
export function armFloorPage(init: { role: 'caller' | 'callee'; passThrough?: PassThrough }): void {
  const state = window.__bench;
  if (state === undefined) throw new Error('the page has no call timeline');
  state.disarm?.();
  state.disarm = undefined;
  state.marks.length = 0;
  const send = (message: FloorMessage) => {
    void window.__benchFloorSend?.(message);
  };
  const constraints: MediaStreamConstraints = {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  };
  const pending: RTCIceCandidateInit[] = [];
  let pc: RTCPeerConnection | undefined;
  // The pass-through variants: every sender and receiver through an RTCRtpScriptTransform in a
  // worker that encrypts nothing. They price the encoded-transform machinery on its own, so the
  // CPU benchmark can tell it from SFrame's cost.
  const sframe = typeof init.passThrough === 'object' ? init.passThrough : undefined;
  const sframeWorker = (floor: SFrameFloor): Worker => {
    const worker = new Worker(new URL(floor.worker, location.href), { name: 'sealcall-frame-crypto' });
    const [send, receive] = init.role === 'caller' ? [floor.callerSends, floor.calleeSends] : [floor.calleeSends, floor.callerSends];
    // The message the app's FrameCryptoClient sends (renderer/workers/frame-crypto-messages.ts), with the app's ratchet interval.
    worker.postMessage({ type: 'keys', sendKey: new Uint8Array(send), receiveKey: new Uint8Array(receive), ratchetIntervalMs: 600_000 });
    return worker;
  };
  const passThroughWorker =
    init.passThrough === undefined
      ? undefined
      : sframe !== undefined
        ? sframeWorker(sframe)
        : new Worker(
          URL.createObjectURL(
            new Blob(
              [
                init.passThrough === 'pump'
                  ? // Moved as the frame-crypto worker moves them (renderer/workers/frame-pipeline.ts pumpFrames).
                    'onrtctransform = (event) => { const { readable, writable } = event.transformer; ' +
                    'const reader = readable.getReader(); const writer = writable.getWriter(); ' +
                    '(async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; ' +
                    'value.data = value.data; writer.write(value).catch(() => {}); } })().catch(() => {}); };'
                  : // No JS per frame at all: what the transform's hop to the worker thread and back costs alone.
                    'onrtctransform = (event) => { const { readable, writable } = event.transformer; readable.pipeTo(writable).catch(() => {}); };',
              ],
              { type: 'text/javascript' },
            ),
          ),
          { name: 'bench-pass-through' },
        );

  const open = async (): Promise<RTCPeerConnection> => {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const connection = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    for (const track of stream.getTracks()) connection.addTrack(track, stream);
    for (const transceiver of connection.getTransceivers()) {
      // In the task that made the transceiver: later, Chromium never runs the transform.
      const kind = transceiver.sender.track?.kind;
      if (passThroughWorker !== undefined) {
        // The options the app gives its transforms; the pass-through workers ignore them.
        transceiver.sender.transform = new RTCRtpScriptTransform(passThroughWorker, { kind, direction: 'send' });
        transceiver.receiver.transform = new RTCRtpScriptTransform(passThroughWorker, { kind, direction: 'receive' });
      }
      const wanted = kind === 'video' ? 'video/vp8' : 'audio/opus';
      const codecs = RTCRtpReceiver.getCapabilities(kind ?? 'audio')?.codecs ?? [];
      transceiver.setCodecPreferences(codecs.filter((codec) => codec.mimeType.toLowerCase() === wanted));
    }
    // A bare call screen, as a call app shows one: the other side full size (with its audio
    // playing), and a small preview of one's own camera.
    const screen = document.createElement('div');
    const remote = document.createElement('video');
    remote.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;object-fit:cover';
    const preview = document.createElement('video');
    preview.style.cssText = 'position:fixed;right:16px;bottom:16px;width:240px';
    preview.muted = true;
    preview.srcObject = stream;
    screen.append(remote, preview);
    document.body.append(screen);
    void preview.play().catch(() => undefined);
    connection.addEventListener('track', (event) => {
      if (remote.srcObject !== null) return;
      remote.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void remote.play().catch(() => undefined);
    });
    connection.addEventListener('icecandidate', (event) => {
      if (event.candidate !== null) send({ type: 'candidate', candidate: event.candidate.toJSON() });
    });
    if (init.role === 'caller') {
      connection.addEventListener('track', (event) => {
        if (event.track.kind === 'video') state.watchFirstFrame(new MediaStream([event.track]));
      });
    }
    state.floor = { pc: connection, stream, screen };
    pc = connection;
    return connection;
  };
  const flushCandidates = async (connection: RTCPeerConnection) => {
    for (const candidate of pending.splice(0)) await connection.addIceCandidate(candidate);
  };

  window.__benchFloorReceive = (message) => {
    void (async () => {
      if (message.type === 'offer' && init.role === 'callee') {
        const connection = await open();
        await connection.setRemoteDescription({ type: 'offer', sdp: message.sdp ?? '' });
        await connection.setLocalDescription();
        send({ type: 'answer', sdp: connection.localDescription?.sdp });
        await flushCandidates(connection);
      } else if (message.type === 'answer' && init.role === 'caller' && pc !== undefined) {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp ?? '' });
        await flushCandidates(pc);
      } else if (message.type === 'candidate' && message.candidate !== undefined) {
        if (pc?.remoteDescription == null) pending.push(message.candidate);
        else await pc.addIceCandidate(message.candidate);
      } else if (message.type === 'start' && init.role === 'caller') {
        const connection = await open();
        await connection.setLocalDescription();
        send({ type: 'offer', sdp: connection.localDescription?.sdp });
      }
    })();
  };
  state.disarm = () => {
    passThroughWorker?.terminate();
    window.__benchFloorReceive = undefined;
    state.floor?.pc.close();
    for (const track of state.floor?.stream.getTracks() ?? []) track.stop();
    state.floor?.screen.remove();
    state.floor = undefined;
  };
}

/** Starts the floor call from the caller's page, as a click would. */
export function placeFloorCall(): void {
  window.__bench?.mark('click');
  window.__benchFloorReceive?.({ type: 'start' });
}

/** Hands the floor page a message from the other floor page (Node relays them). */
export function deliverFloorMessage(message: FloorMessage): void {
  window.__benchFloorReceive?.(message);
}

export function disarmPage(): void {
  window.__bench?.disarm?.();
  if (window.__bench !== undefined) window.__bench.disarm = undefined;
}

/** What the page's newest peer connection sends on video: frame size and frames encoded. */
export async function sentVideo(): Promise<{ width: number; height: number; framesEncoded: number } | null> {
  const pc = window.__bench?.connections.at(-1);
  if (pc === undefined) return null;
  let found: { width: number; height: number; framesEncoded: number } | null = null;
  (await pc.getStats()).forEach((stat: Record<string, unknown>) => {
    if (stat['type'] !== 'outbound-rtp' || stat['kind'] !== 'video') return;
    const { frameWidth, frameHeight, framesEncoded } = stat;
    if (typeof frameWidth === 'number' && typeof frameHeight === 'number' && typeof framesEncoded === 'number') {
      found = { width: frameWidth, height: frameHeight, framesEncoded };
    }
  });
  return found;
}
