import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { SfuRooms } from '../server/sfu/sfu-rooms';
import { janusMissingReason, startJanus, type JanusProcess } from '../server/test-support/janus.fixture';
import type { CryptoReport } from '../renderer/workers/frame-crypto-messages';
import { clearPrefixLength } from '../shared/crypto/media-frame';
import { decodeSFrameHeader } from '../shared/crypto/sframe';
import { groupKid } from '../shared/crypto/sframe-mls';
import { bundleBrowserScript } from './harness/browser-script';
import { serveDirectory, type StaticServer } from './harness/static-server';
import type { ReceivedVideo, SentLayer, SfuPageKeys, SfuPageSeat, SfuPageVideo } from './sfu-janus/page-entry';

/*
 * SFrame-encrypted media through a real Janus (Debian's, from deploy/janus/): two Chromium pages,
 * each a member with a seat from the server's SfuRooms, publish to the room and subscribe to each
 * other through the renderer's Janus client, with the renderer's frame-crypto worker on every
 * sender and receiver, and decode each other. Janus's RTP forwarder copies Alice's video to a UDP
 * socket here. Each forwarded frame keeps VP8's clear prefix (docs/protocol.md, "Between the two
 * apps: media frames": the frame tag, and on a key frame its start code and size), and what follows
 * must be SFrame under Alice's KID, counters rising: the VP8 data itself is ciphertext to Janus.
 * The twin without transforms runs the same parse over plain media: key frames, and no SFrame.
 */

/** Alice's and Bob's leaf indices and the epoch: a KID long enough that plain VP8 bytes never read as it. */
const EPOCH = 7;
const ALICE_INDEX = 5;
const BOB_INDEX = 6;
const ALICE_KID = groupKid(BigInt(EPOCH), ALICE_INDEX);

const missing = janusMissingReason();

/**
 * The simulcast test's camera and layers: Chromium sends three VP8 layers only from about 960x540
 * up (two at 640x360, one at 320x180), so the fake camera is asked for 960x540.
 */
const SIMULCAST_VIDEO = {
  width: 960,
  height: 540,
  layers: [
    { rid: 'h', scaleResolutionDownBy: 1 },
    { rid: 'm', scaleResolutionDownBy: 2 },
    { rid: 'l', scaleResolutionDownBy: 4 },
  ],
};
/** What the simulcast test measured, printed at the end for docs/group-calls.md. */
const layersSeen: string[] = [];

interface PageApi {
  sfuPage: {
    join(seat: SfuPageSeat, keys: SfuPageKeys, encrypt: boolean): Promise<void>;
    publish(seat: SfuPageSeat, keys: SfuPageKeys, encrypt: boolean, video?: SfuPageVideo): Promise<{ videoMid: string; camera: { width?: number; height?: number } }>;
    subscribe(feed: number, substream?: number): Promise<{ index: number; videoMid: string }>;
    switchLayer(index: number, mid: string, substream: number): Promise<void>;
    decoded(): Promise<number>;
    receivedVideo(index: number): Promise<ReceivedVideo>;
    sentLayers(): Promise<SentLayer[]>;
    cryptoReport(): CryptoReport | undefined;
  };
}

/** What the forwarded video says about itself. */
interface ForwardedVideo {
  packets: number;
  frameStarts: number;
  /** Frames that begin like a VP8 key frame (frame tag's P bit clear, start code 9d 01 2a). */
  vp8KeyFrames: number;
  /** Frames whose bytes after VP8's clear prefix are an SFrame header under Alice's KID. */
  sframes: number;
  /** Of those, how many had a counter above the one before. */
  risingCounters: number;
  lastCounter: bigint;
}

/** RTP (RFC 3550) then VP8's payload descriptor (RFC 7741) and, at a frame's start, its key frame header. */
function readForwarded(packet: Buffer, seen: ForwardedVideo): void {
  if (packet.length < 12 || packet[0] === undefined || packet[0] >> 6 !== 2) return;
  seen.packets += 1;
  const first = packet[0];
  let offset = 12 + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (packet.length < offset + 4) return;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if ((first & 0x20) !== 0) end -= packet[packet.length - 1] ?? 0;
  const payload = packet.subarray(offset, end);
  const descriptor = payload[0];
  if (descriptor === undefined) return;
  const start = (descriptor & 0x10) !== 0 && (descriptor & 0x07) === 0;
  if (!start) return;
  seen.frameStarts += 1;
  let at = 1;
  if ((descriptor & 0x80) !== 0) {
    const extension = payload[at] ?? 0;
    at += 1;
    if ((extension & 0x80) !== 0) at += (payload[at] ?? 0) & 0x80 ? 2 : 1;
    if ((extension & 0x40) !== 0) at += 1;
    if ((extension & 0x30) !== 0) at += 1;
  }
  const frame = payload.subarray(at);
  if (frame.length >= 6 && ((frame[0] ?? 1) & 0x01) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a) seen.vp8KeyFrames += 1;
  try {
    const header = decodeSFrameHeader(frame.subarray(clearPrefixLength('vp8', frame)));
    if (header.kid !== ALICE_KID) return;
    seen.sframes += 1;
    if (header.ctr > seen.lastCounter) seen.risingCounters += 1;
    seen.lastCounter = header.ctr;
  } catch {
    // Not an SFrame header.
  }
}

async function bundle(dir: string): Promise<void> {
  const here = path.join(import.meta.dirname, 'sfu-janus');
  await writeFile(path.join(dir, 'page.js'), await bundleBrowserScript(path.join(here, 'page-entry.ts')));
  await writeFile(path.join(dir, 'worker.js'), await bundleBrowserScript(path.join(here, 'worker-entry.ts')));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>sfu member</title><script src="page.js"></script>');
}

test.describe('media through a real Janus SFU', () => {
  test.skip(missing !== undefined, missing ?? '');

  let janus: JanusProcess | undefined;
  let dir: string | undefined;
  let pages: StaticServer | undefined;
  let rooms: SfuRooms;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  test.beforeAll(async ({ playwright, launchOptions }) => {
    janus = await startJanus();
    dir = await mkdtemp(path.join(tmpdir(), 'sealcall-sfu-page-'));
    await bundle(dir);
    // Janus on the page's own origin, as a deployment's TLS proxy puts it.
    pages = await serveDirectory(dir, { prefix: '/janus', to: janus.apiUrl });
    rooms = new SfuRooms({ apiUrl: janus.apiUrl, publicUrl: `${pages.url}janus`, secrets: janus.secrets, tokenTtlMs: 600_000, maxPublishers: 50, bitrate: 1_000_000 });
    browser = await playwright.chromium.launch(launchOptions);
  });

  // Each part is let go even when an earlier step of beforeAll failed: a Janus left running would
  // outlive the test run.
  test.afterAll(async () => {
    if (layersSeen.length > 0) console.log(`simulcast: ${layersSeen.join('; ')}`);
    await browser?.close().catch(() => undefined);
    await pages?.close().catch(() => undefined);
    await janus?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Two members in a fresh room, publishing and subscribing to each other; Alice's video forwarded to `forwarded`. */
  async function meeting(encrypt: boolean): Promise<{ alice: Page; bob: Page; forwarded: ForwardedVideo; socket: Socket }> {
    const groupId = randomBytes(16).toString('base64url');
    const baseKey = [...randomBytes(32)];
    const senders = [{ index: ALICE_INDEX, userId: 'alice' }, { index: BOB_INDEX, userId: 'bob' }];
    const members = [] as { page: Page; seat: SfuPageSeat; videoMid: string }[];
    if (browser === undefined || pages === undefined) throw new Error('the set-up did not finish');
    for (const [index, userId] of [[ALICE_INDEX, 'alice'], [BOB_INDEX, 'bob']] as const) {
      const seat = await rooms.seat(groupId, userId);
      const page = await browser.newPage();
      page.on('pageerror', (error) => { pageErrors.push(`${userId}: ${error.message}`); });
      await page.goto(pages.url);
      const { videoMid } = await page.evaluate(
        ([s, keys, on]) => (globalThis as unknown as PageApi).sfuPage.publish(s, keys, on),
        [seat, { epoch: EPOCH, ownIndex: index, baseKey, senders }, encrypt] as const,
      );
      members.push({ page, seat, videoMid });
    }
    const [alice, bob] = members;
    if (alice === undefined || bob === undefined) throw new Error('two members');
    // The forwarder first: Bob's subscription then asks Alice for a key frame, which it sees too.
    const forwarded: ForwardedVideo = { packets: 0, frameStarts: 0, vp8KeyFrames: 0, sframes: 0, risingCounters: 0, lastCounter: -1n };
    const socket = createSocket('udp4');
    socket.on('message', (packet) => { readForwarded(packet, forwarded); });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    await rooms.forwardForTests(groupId, alice.seat.participantId, '127.0.0.1', [{ mid: alice.videoMid, port: socket.address().port }]);
    await alice.page.evaluate((feed) => (globalThis as unknown as PageApi).sfuPage.subscribe(feed), bob.seat.participantId);
    await bob.page.evaluate((feed) => (globalThis as unknown as PageApi).sfuPage.subscribe(feed), alice.seat.participantId);
    return { alice: alice.page, bob: bob.page, forwarded, socket };
  }

  const decoded = (page: Page) => page.evaluate(() => (globalThis as unknown as PageApi).sfuPage.decoded());
  const report = (page: Page) => page.evaluate(() => (globalThis as unknown as PageApi).sfuPage.cryptoReport());

  test('two members decode each other through Janus, which forwards only ciphertext', async () => {
    const { alice, bob, forwarded, socket } = await meeting(true);
    try {
      for (const page of [alice, bob]) await expect.poll(async () => await decoded(page), { timeout: 90_000 }).toBeGreaterThan(10);
      // Every frame each decoded was decrypted by its worker, under the other member's sender
      // index; audio too (the page plays no audio, so Chromium counts no decoded samples).
      for (const [page, other] of [[alice, BOB_INDEX], [bob, ALICE_INDEX]] as const) {
        const crypto = await report(page);
        expect(crypto?.mode).toBe('group');
        expect(crypto?.encrypted.video).toBeGreaterThan(0);
        const from = crypto?.senders.find((sender) => sender.index === other);
        expect(from?.decrypted.video).toBeGreaterThan(0);
        expect(from?.decrypted.audio).toBeGreaterThan(0);
        expect(crypto?.failed).toEqual({ audio: 0, video: 0 });
      }
      // Janus's copy of Alice's video: past VP8's clear prefix, every frame is SFrame under her KID.
      await expect.poll(() => forwarded.frameStarts, { timeout: 60_000 }).toBeGreaterThan(30);
      const { frameStarts, sframes, risingCounters } = forwarded;
      expect(sframes).toBeGreaterThanOrEqual(frameStarts - 1);
      // Counters rise frame after frame (a packet Janus resends after a loss repeats one).
      expect(risingCounters).toBeGreaterThanOrEqual(sframes * 0.9);
      expect(sframes).toBeGreaterThan(30);
      expect(pageErrors).toEqual([]);
    } finally {
      socket.close();
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  test('the twin without transforms: the same parse finds VP8 key frames in what Janus forwards', async () => {
    const { alice, bob, forwarded, socket } = await meeting(false);
    try {
      await expect.poll(async () => await decoded(bob), { timeout: 90_000 }).toBeGreaterThan(10);
      await expect.poll(() => forwarded.frameStarts, { timeout: 60_000 }).toBeGreaterThan(30);
      expect(forwarded.vp8KeyFrames).toBeGreaterThan(0);
      expect(forwarded.sframes).toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      socket.close();
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  /**
   * VP8 simulcast through Janus's e2ee room, SFrame on every layer. Alice sends three encodings by
   * rid, top layer first (Janus's default rid order); Bob asks Janus for the lowest layer, Carol
   * for the top, Mallory for the top with the wrong key. Janus picks a layer by reading only the
   * RTP header, VP8's payload descriptor and, at a switch, the key-frame bits of the frame's first
   * bytes: all outside SFrame's ciphertext (docs/group-calls.md, "VP8 simulcast with SFrame").
   */
  test('VP8 simulcast: each subscriber gets the layer it asks for, decrypts it, and a switch keeps decoding', async () => {
    // Four pages and three encodings: 19 s on a quiet machine, past the default 150 s at load average 88.
    test.setTimeout(480_000);
    if (browser === undefined || pages === undefined) throw new Error('the set-up did not finish');
    const groupId = randomBytes(16).toString('base64url');
    const baseKey = [...randomBytes(32)];
    const cast = [
      { index: ALICE_INDEX, userId: 'alice' },
      { index: BOB_INDEX, userId: 'bob' },
      { index: BOB_INDEX + 1, userId: 'carol' },
      { index: BOB_INDEX + 2, userId: 'mallory' },
    ];
    const senders = cast.map(({ index, userId }) => ({ index, userId }));
    const opened: Page[] = [];
    const member = async (userId: string): Promise<{ page: Page; seat: SfuPageSeat; keys: SfuPageKeys }> => {
      if (browser === undefined || pages === undefined) throw new Error('the set-up did not finish');
      const index = cast.find((one) => one.userId === userId)?.index ?? 0;
      const page = await browser.newPage();
      opened.push(page);
      page.on('pageerror', (error) => { pageErrors.push(`${userId}: ${error.message}`); });
      await page.goto(pages.url);
      // Mallory holds a key of the same shape that is not the meeting's.
      return { page, seat: await rooms.seat(groupId, userId), keys: { epoch: EPOCH, ownIndex: index, baseKey: userId === 'mallory' ? [...randomBytes(32)] : baseKey, senders } };
    };
    try {
      const alice = await member('alice');
      const { camera } = await alice.page.evaluate(([seat, keys, video]) => (globalThis as unknown as PageApi).sfuPage.publish(seat, keys, true, video), [alice.seat, alice.keys, SIMULCAST_VIDEO] as const);
      expect(camera).toEqual({ width: SIMULCAST_VIDEO.width, height: SIMULCAST_VIDEO.height });
      const viewers = [] as { page: Page; index: number; videoMid: string }[];
      for (const [userId, substream] of [['bob', 0], ['carol', 2], ['mallory', 2]] as const) {
        const viewer = await member(userId);
        await viewer.page.evaluate(([seat, keys]) => (globalThis as unknown as PageApi).sfuPage.join(seat, keys, true), [viewer.seat, viewer.keys] as const);
        const subscribed = await viewer.page.evaluate(([feed, layer]) => (globalThis as unknown as PageApi).sfuPage.subscribe(feed, layer), [alice.seat.participantId, substream] as const);
        viewers.push({ page: viewer.page, ...subscribed });
      }
      const [bob, carol, mallory] = viewers;
      if (bob === undefined || carol === undefined || mallory === undefined) throw new Error('three viewers');
      const video = (viewer: { page: Page; index: number }) => viewer.page.evaluate((index) => (globalThis as unknown as PageApi).sfuPage.receivedVideo(index), viewer.index);

      // Alice's encoder runs every layer (Chromium allows three from 960x540 up).
      await expect.poll(async () => (await alice.page.evaluate(() => (globalThis as unknown as PageApi).sfuPage.sentLayers())).filter((layer) => layer.framesEncoded > 0).length, { timeout: 90_000 }).toBe(3);
      for (const viewer of [bob, carol]) await expect.poll(async () => (await video(viewer)).framesDecoded, { timeout: 90_000 }).toBeGreaterThan(20);
      // The top layer decodes larger than the lowest. Read together, and until both hold: on a
      // loaded machine Alice's encoder may shed its top layer's size for a while, as WebRTC does
      // when the CPU is short, and Janus then forwards what there is.
      let low = await video(bob);
      let high = await video(carol);
      await expect
        .poll(async () => {
          [low, high] = await Promise.all([video(bob), video(carol)]);
          return high.frameWidth >= SIMULCAST_VIDEO.width / 2 && low.frameWidth < high.frameWidth && low.frameHeight < high.frameHeight;
        }, { timeout: 90_000 })
        .toBe(true);
      layersSeen.push(`low ${String(low.frameWidth)}x${String(low.frameHeight)}, high ${String(high.frameWidth)}x${String(high.frameHeight)}`);

      // Mid-stream, Bob moves to the top layer: Janus waits for a key frame on it, then forwards
      // it; Bob's decoder goes on at the larger size, his worker opening every frame.
      const before = await video(bob);
      const asked = Date.now();
      await bob.page.evaluate(([index, mid]) => (globalThis as unknown as PageApi).sfuPage.switchLayer(index, mid, 2), [bob.index, bob.videoMid] as const);
      await expect.poll(async () => (await video(bob)).frameWidth, { timeout: 60_000 }).toBeGreaterThan(low.frameWidth);
      layersSeen.push(`switch low to high: ${String(Date.now() - asked)} ms until the larger frames decoded`);
      const switched = (await video(bob)).framesDecoded;
      await expect.poll(async () => (await video(bob)).framesDecoded, { timeout: 60_000 }).toBeGreaterThan(switched + 20);
      expect(switched).toBeGreaterThan(before.framesDecoded);

      for (const viewer of [bob, carol]) {
        const crypto = await report(viewer.page);
        const from = crypto?.senders.find((sender) => sender.index === ALICE_INDEX);
        expect(from?.decrypted.video).toBeGreaterThan(20);
        expect(crypto?.failed).toEqual({ audio: 0, video: 0 });
      }
      // The negative twin: Mallory gets the same top layer from Janus and opens none of it.
      const wrong = await report(mallory.page);
      expect(wrong?.failed.video).toBeGreaterThan(20);
      expect(wrong?.decrypted.video).toBe(0);
      expect((await video(mallory)).framesDecoded).toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await Promise.all(opened.map((page) => page.close()));
    }
  });
});
