/**
 * The group-call floor of the E2EE CPU benchmark: a bare full mesh of RTCPeerConnections between
 * bare pages (one camera and microphone capture per page, added to each of its connections, as
 * the app's fan-out sender does), optionally through encoded transforms with no JS per frame.
 * Every function here runs inside a page (page.evaluate), so each is self-contained.
 */
import type {} from './call-timeline';

export interface MeshMessage {
  from: number;
  to: number;
  type: 'offer' | 'answer' | 'candidate';
  sdp?: string | undefined;
  candidate?: RTCIceCandidateInit;
}

interface MeshState {
  close(): void;
  receive(message: MeshMessage): void;
  /** Sends this page's offers: once every page of the mesh has joined, so none is lost. */
  offer(): Promise<void>;
}

declare global {
  interface Window {
    /** Installed by Node (page.exposeFunction): sends to another mesh page. */
    __benchMeshSend?: (message: MeshMessage) => Promise<void>;
    __benchMesh?: MeshState | undefined;
  }
}

/**
 * Joins page `self` to the mesh of `size` pages: it will offer to every page of a higher index (as
 * the app's lower user id offers, on offerMesh) and answers the others. Resolves once its capture
 * is open and it can take messages.
 */
export async function joinMesh(init: { self: number; size: number; native: boolean }): Promise<void> {
  const send = (message: MeshMessage) => {
    void window.__benchMeshSend?.(message);
  };
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  });
  const worker = init.native
    ? new Worker(
        URL.createObjectURL(
          new Blob(['onrtctransform = (event) => { const { readable, writable } = event.transformer; readable.pipeTo(writable).catch(() => {}); };'], { type: 'text/javascript' }),
        ),
      )
    : undefined;
  // The group screen's layout in small: a tile per other member, and one's own preview.
  const screen = document.createElement('div');
  screen.style.cssText = 'position:fixed;inset:0;display:grid;grid-template-columns:1fr 1fr;gap:4px;background:#000';
  const preview = document.createElement('video');
  preview.muted = true;
  preview.srcObject = stream;
  screen.append(preview);
  document.body.append(screen);
  void preview.play().catch(() => undefined);

  const connections = new Map<number, RTCPeerConnection>();
  const pending = new Map<number, RTCIceCandidateInit[]>();
  const connect = (other: number): RTCPeerConnection => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    connections.set(other, pc);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.sender.track?.kind;
      // In the task that made the transceiver: later, Chromium never runs the transform.
      if (worker !== undefined) {
        transceiver.sender.transform = new RTCRtpScriptTransform(worker, {});
        transceiver.receiver.transform = new RTCRtpScriptTransform(worker, {});
      }
      const wanted = kind === 'video' ? 'video/vp8' : 'audio/opus';
      const codecs = RTCRtpReceiver.getCapabilities(kind ?? 'audio')?.codecs ?? [];
      transceiver.setCodecPreferences(codecs.filter((codec) => codec.mimeType.toLowerCase() === wanted));
    }
    const tile = document.createElement('video');
    tile.style.cssText = 'width:100%;height:100%;object-fit:cover';
    screen.append(tile);
    pc.addEventListener('track', (event) => {
      if (tile.srcObject !== null) return;
      tile.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void tile.play().catch(() => undefined);
    });
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate !== null) send({ from: init.self, to: other, type: 'candidate', candidate: event.candidate.toJSON() });
    });
    return pc;
  };
  const flush = async (other: number, pc: RTCPeerConnection) => {
    for (const candidate of pending.get(other)?.splice(0) ?? []) await pc.addIceCandidate(candidate);
  };
  window.__benchMesh = {
    receive(message) {
      void (async () => {
        if (message.type === 'offer') {
          const pc = connect(message.from);
          await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp ?? '' });
          await pc.setLocalDescription();
          send({ from: init.self, to: message.from, type: 'answer', sdp: pc.localDescription?.sdp });
          await flush(message.from, pc);
        } else if (message.type === 'answer') {
          const pc = connections.get(message.from);
          if (pc === undefined) return;
          await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp ?? '' });
          await flush(message.from, pc);
        } else if (message.candidate !== undefined) {
          const pc = connections.get(message.from);
          if (pc?.remoteDescription == null) pending.set(message.from, [...(pending.get(message.from) ?? []), message.candidate]);
          else await pc.addIceCandidate(message.candidate);
        }
      })();
    },
    async offer() {
      for (let other = init.self + 1; other < init.size; other++) {
        const pc = connect(other);
        await pc.setLocalDescription();
        send({ from: init.self, to: other, type: 'offer', sdp: pc.localDescription?.sdp });
      }
    },
    close() {
      for (const pc of connections.values()) pc.close();
      for (const track of stream.getTracks()) track.stop();
      worker?.terminate();
      screen.remove();
      window.__benchMesh = undefined;
    },
  };
}

export async function offerMesh(): Promise<void> {
  await window.__benchMesh?.offer();
}

export function deliverMeshMessage(message: MeshMessage): void {
  window.__benchMesh?.receive(message);
}

export function leaveMesh(): void {
  window.__benchMesh?.close();
}

/** Video frames decoded so far on each of this page's connections, for waiting until all flow. */
export async function meshFramesDecoded(): Promise<number[]> {
  const connections = window.__bench?.connections ?? [];
  return Promise.all(
    connections
      .filter((pc) => pc.connectionState !== 'closed')
      .map(async (pc) => {
        let decoded = 0;
        (await pc.getStats()).forEach((stat: Record<string, unknown>) => {
          if (stat['type'] === 'inbound-rtp' && stat['kind'] === 'video' && typeof stat['framesDecoded'] === 'number') decoded += stat['framesDecoded'];
        });
        return decoded;
      }),
  );
}
