import { gatheredSdp } from '../../renderer/call/sfu/ice-gathered';
import { JanusSession, type Jsep } from '../../renderer/call/sfu/janus-session';
import { fetchJanusTransport } from './fetch-transport';
import type { CryptoReport, MediaKind, PageToWorker, TransformOptions, WorkerToPage } from '../../renderer/workers/frame-crypto-messages';

/*
 * One member's page in a Janus room, for e2e/sfu-janus.harness.spec.ts: it publishes its fake camera and
 * microphone and subscribes to another member's feed, through the renderer's Janus client and with
 * the renderer's frame-crypto worker on every sender and receiver (a sender's before any SDP, as
 * renderer/call/peer-session.ts does; a receiver's as Janus's offer makes it). With `encrypt` off, no transform is attached (the spec's
 * negative twin).
 */

export interface SfuPageSeat {
  url: string;
  room: number;
  participantId: number;
  token: string;
  roomToken: string;
}

export interface SfuPageKeys {
  epoch: number;
  ownIndex: number;
  /** 32 bytes, as numbers: page.evaluate carries JSON. */
  baseKey: number[];
  senders: { index: number; userId: string }[];
}

let worker: Worker | undefined;
let report: CryptoReport | undefined;
let session: JanusSession | undefined;
let seat: SfuPageSeat | undefined;
let encrypt = true;
let privateId: number | undefined;
const subscriptions: RTCPeerConnection[] = [];

function attach(target: RTCRtpSender | RTCRtpReceiver, kind: MediaKind, direction: 'send' | 'receive'): void {
  if (!encrypt || worker === undefined) return;
  const options: TransformOptions = { kind, direction };
  target.transform = new RTCRtpScriptTransform(worker, options);
}

async function publish(given: SfuPageSeat, keys: SfuPageKeys, withTransforms: boolean): Promise<{ videoMid: string }> {
  seat = given;
  encrypt = withTransforms;
  if (encrypt) {
    worker = new Worker('worker.js');
    worker.addEventListener('message', (event: MessageEvent<WorkerToPage>) => {
      if (event.data.type === 'report') report = event.data.report;
    });
    const baseKey = new Uint8Array(keys.baseKey);
    const message: PageToWorker = { type: 'group-keys', epoch: keys.epoch, ownIndex: keys.ownIndex, baseKey, senders: keys.senders };
    worker.postMessage(message, [baseKey.buffer]);
  }
  session = await JanusSession.open(fetchJanusTransport(given.url, given.token));
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const transceivers: RTCRtpTransceiver[] = [];
  for (const track of stream.getTracks()) {
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    attach(transceiver.sender, track.kind === 'audio' ? 'audio' : 'video', 'send');
    transceivers.push(transceiver);
  }
  const handle = await session.attach(() => undefined);
  const joined = await session.request(handle, { request: 'join', ptype: 'publisher', room: given.room, id: given.participantId, token: given.roomToken, display: String(given.participantId) });
  const id = joined.data['private_id'];
  if (typeof id !== 'number') throw new Error('the join gave no private id');
  privateId = id;
  await pc.setLocalDescription(await pc.createOffer());
  const offer: Jsep = { type: 'offer', sdp: await gatheredSdp(pc), e2ee: true };
  const answer = await session.request(handle, { request: 'publish', audiocodec: 'opus', videocodec: 'vp8' }, offer);
  if (answer.jsep?.type !== 'answer') throw new Error('the publish gave no answer');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.jsep.sdp });
  // Janus lists the feed for subscribers once the publisher's connection is up: a subscription
  // asked for before that is refused ("No such feed", seen in CI on a loaded machine).
  await connected(pc);
  const video = transceivers.find((transceiver) => transceiver.sender.track?.kind === 'video');
  if (video?.mid === null || video === undefined) throw new Error('no video mid');
  return { videoMid: video.mid };
}

const CONNECT_LIMIT_MS = 60_000;

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`the publisher's connection to Janus is ${pc.connectionState} after ${String(CONNECT_LIMIT_MS / 1000)} s`)); }, CONNECT_LIMIT_MS);
    const check = () => {
      if (pc.connectionState !== 'connected') return;
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      resolve();
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function subscribe(feed: number): Promise<void> {
  if (session === undefined || seat === undefined || privateId === undefined) throw new Error('publish first');
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  // Janus offers here, so its offer makes the receivers: each gets its transform in the track
  // event, which fires while the offer is applied, before any frame. (Measured in Debian's
  // Chromium: receivers made beforehand with addTrack, then set recvonly, were not taken by the
  // offer's m-lines, and the offer's own receivers decoded nothing without a transform.)
  pc.addEventListener('track', (event) => {
    attach(event.receiver, event.track.kind === 'audio' ? 'audio' : 'video', 'receive');
  });
  subscriptions.push(pc);
  const handle = await session.attach(() => undefined);
  const attached = await session.request(handle, { request: 'join', ptype: 'subscriber', room: seat.room, private_id: privateId, token: seat.roomToken, streams: [{ feed }] });
  if (attached.jsep?.type !== 'offer') throw new Error('the subscription gave no offer');
  await pc.setRemoteDescription({ type: 'offer', sdp: attached.jsep.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await session.request(handle, { request: 'start' }, { type: 'answer', sdp: await gatheredSdp(pc), e2ee: true });
}

/** Video frames this page decoded from the feeds it subscribed to. */
async function decoded(): Promise<number> {
  let video = 0;
  for (const pc of subscriptions) {
    (await pc.getStats()).forEach((stat: { type?: string; kind?: string; framesDecoded?: number }) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') video += stat.framesDecoded ?? 0;
    });
  }
  return video;
}

function cryptoReport(): CryptoReport | undefined {
  return report;
}

Object.assign(globalThis, { sfuPage: { publish, subscribe, decoded, cryptoReport } });
