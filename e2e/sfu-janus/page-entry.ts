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
/** Each subscription's connection and Janus handle, in the order made. */
const subscriptions: { pc: RTCPeerConnection; handle: number }[] = [];
let publisher: RTCPeerConnection | undefined;

function attach(target: RTCRtpSender | RTCRtpReceiver, kind: MediaKind, direction: 'send' | 'receive'): void {
  if (!encrypt || worker === undefined) return;
  const options: TransformOptions = { kind, direction };
  target.transform = new RTCRtpScriptTransform(worker, options);
}

/** Simulcast as the app sends it: the first encoding is the top layer (Janus's default rid order, "hml"). */
export interface SfuPageVideo {
  width: number;
  height: number;
  /** The rids and how much each scales the camera down, top layer first; absent: one encoding. */
  layers?: { rid: string; scaleResolutionDownBy: number }[];
}

let handle: number | undefined;

/** Joins the room as the seat's publisher (which a subscription needs, for its private id), sending nothing yet. */
async function join(given: SfuPageSeat, keys: SfuPageKeys, withTransforms: boolean): Promise<void> {
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
  handle = await session.attach(() => undefined);
  const joined = await session.request(handle, { request: 'join', ptype: 'publisher', room: given.room, id: given.participantId, token: given.roomToken, display: String(given.participantId) });
  const id = joined.data['private_id'];
  if (typeof id !== 'number') throw new Error('the join gave no private id');
  privateId = id;
}

async function publish(given: SfuPageSeat, keys: SfuPageKeys, withTransforms: boolean, video: SfuPageVideo = { width: 320, height: 240 }): Promise<{ videoMid: string; camera: { width?: number; height?: number } }> {
  await join(given, keys, withTransforms);
  if (session === undefined || handle === undefined) throw new Error('the join did not finish');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: video.width, height: video.height } });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  publisher = pc;
  const transceivers: RTCRtpTransceiver[] = [];
  for (const track of stream.getTracks()) {
    const sendEncodings = track.kind === 'video' && video.layers !== undefined ? video.layers.map((layer) => ({ ...layer })) : undefined;
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], ...(sendEncodings === undefined ? {} : { sendEncodings }) });
    attach(transceiver.sender, track.kind === 'audio' ? 'audio' : 'video', 'send');
    transceivers.push(transceiver);
  }
  await pc.setLocalDescription(await pc.createOffer());
  const offer: Jsep = { type: 'offer', sdp: await gatheredSdp(pc), e2ee: true };
  const answer = await session.request(handle, { request: 'publish', audiocodec: 'opus', videocodec: 'vp8' }, offer);
  if (answer.jsep?.type !== 'answer') throw new Error('the publish gave no answer');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.jsep.sdp });
  // Janus lists the feed for subscribers once the publisher's connection is up: a subscription
  // asked for before that is refused ("No such feed", seen in CI on a loaded machine).
  await connected(pc);
  const sent = transceivers.find((transceiver) => transceiver.sender.track?.kind === 'video');
  if (sent?.mid === null || sent === undefined) throw new Error('no video mid');
  const settings = sent.sender.track?.getSettings() ?? {};
  return { videoMid: sent.mid, camera: { width: settings.width, height: settings.height } };
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

/**
 * Subscribes to a feed, its video at `substream` (Janus's simulcast layer, 0 the lowest) when given;
 * returns this subscription's index and its video mid, which `configure` names.
 */
async function subscribe(feed: number, substream?: number): Promise<{ index: number; videoMid: string }> {
  if (session === undefined || seat === undefined || privateId === undefined) throw new Error('publish first');
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  // Janus offers here, so its offer makes the receivers: each gets its transform in the track
  // event, which fires while the offer is applied, before any frame. (Measured in Debian's
  // Chromium: receivers made beforehand with addTrack, then set recvonly, were not taken by the
  // offer's m-lines, and the offer's own receivers decoded nothing without a transform.)
  pc.addEventListener('track', (event) => {
    attach(event.receiver, event.track.kind === 'audio' ? 'audio' : 'video', 'receive');
  });
  const subscription = await session.attach(() => undefined);
  subscriptions.push({ pc, handle: subscription });
  const stream = substream === undefined ? { feed } : { feed, substream };
  const attached = await session.request(subscription, { request: 'join', ptype: 'subscriber', room: seat.room, private_id: privateId, token: seat.roomToken, streams: [stream] });
  if (attached.jsep?.type !== 'offer') throw new Error('the subscription gave no offer');
  await pc.setRemoteDescription({ type: 'offer', sdp: attached.jsep.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await session.request(subscription, { request: 'start' }, { type: 'answer', sdp: await gatheredSdp(pc), e2ee: true });
  const video = pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'video');
  if (video?.mid === null || video === undefined) throw new Error('the subscription has no video');
  return { index: subscriptions.length - 1, videoMid: video.mid };
}

/** Asks Janus for another simulcast layer of one subscription's video (VideoRoom `configure`). */
async function switchLayer(index: number, mid: string, substream: number): Promise<void> {
  const subscription = subscriptions[index];
  if (session === undefined || subscription === undefined) throw new Error('no such subscription');
  const answer = await session.request(subscription.handle, { request: 'configure', streams: [{ mid, substream }] });
  if (answer.data['configured'] !== 'ok') throw new Error(`configure answered ${JSON.stringify(answer.data)}`);
}

/** Video frames this page decoded from the feeds it subscribed to. */
async function decoded(): Promise<number> {
  let video = 0;
  for (const { pc } of subscriptions) {
    (await pc.getStats()).forEach((stat: { type?: string; kind?: string; framesDecoded?: number }) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') video += stat.framesDecoded ?? 0;
    });
  }
  return video;
}

export interface ReceivedVideo {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}

/** The video one subscription decodes now (getStats' inbound-rtp). */
async function receivedVideo(index: number): Promise<ReceivedVideo> {
  const subscription = subscriptions[index];
  if (subscription === undefined) throw new Error('no such subscription');
  const seen: ReceivedVideo = { framesDecoded: 0, frameWidth: 0, frameHeight: 0 };
  (await subscription.pc.getStats()).forEach((stat: { type?: string; kind?: string; framesDecoded?: number; frameWidth?: number; frameHeight?: number }) => {
    if (stat.type !== 'inbound-rtp' || stat.kind !== 'video') return;
    seen.framesDecoded += stat.framesDecoded ?? 0;
    seen.frameWidth = stat.frameWidth ?? 0;
    seen.frameHeight = stat.frameHeight ?? 0;
  });
  return seen;
}

export interface SentLayer {
  rid: string;
  framesEncoded: number;
  frameWidth: number;
  frameHeight: number;
  bytesSent: number;
}

/** What the publisher's video encodes now, layer by layer (getStats' outbound-rtp, one per rid). */
async function sentLayers(): Promise<SentLayer[]> {
  if (publisher === undefined) return [];
  const layers: SentLayer[] = [];
  (await publisher.getStats()).forEach((stat: { type?: string; kind?: string; rid?: string; framesEncoded?: number; frameWidth?: number; frameHeight?: number; bytesSent?: number }) => {
    if (stat.type !== 'outbound-rtp' || stat.kind !== 'video') return;
    layers.push({ rid: stat.rid ?? '', framesEncoded: stat.framesEncoded ?? 0, frameWidth: stat.frameWidth ?? 0, frameHeight: stat.frameHeight ?? 0, bytesSent: stat.bytesSent ?? 0 });
  });
  return layers;
}

function cryptoReport(): CryptoReport | undefined {
  return report;
}

Object.assign(globalThis, { sfuPage: { join, publish, subscribe, switchLayer, decoded, receivedVideo, sentLayers, cryptoReport } });
