import { expect, type Page } from '@playwright/test';
import type { CallView } from '../../shared/ipc';
import type { EncryptionState, Media } from '../../renderer/call/call-engine-types';
import type { SealcallDiagnostics } from '../../renderer/call/diagnostics';
import type { TrackState } from '../../renderer/call/local-media-controls';
import type { MediaProgress } from '../../renderer/call/stats';

/*
 * Test-only driving of calls, from inside the page, through the same engine the screens use
 * (window.sealcallDiagnostics.engine): call, accept and hang up are the engine methods the call
 * buttons invoke. It adds nothing to the app; it only reaches what the app already exposes.
 */

export type CryptoCounters = ReturnType<SealcallDiagnostics['counters']>;

/** The parts of the engine's state a spec checks, as plain data. */
export interface EngineSnapshot {
  call: Pick<CallView, 'callId' | 'state' | 'shortCode' | 'endReason'> | null;
  encryption: EncryptionState;
  error: string | null;
  muted: boolean;
  cameraOff: boolean;
  localTracks: number;
  remoteTracks: number;
}

export async function snapshot(page: Page): Promise<EngineSnapshot> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallDiagnostics: the call engine did not start');
    const state = diagnostics.engine.getState();
    const { call } = state;
    return {
      call: call === null ? null : { callId: call.callId, state: call.state, shortCode: call.shortCode, endReason: call.endReason },
      encryption: state.encryption,
      error: state.error,
      muted: state.muted,
      cameraOff: state.cameraOff,
      localTracks: state.localStream?.getTracks().length ?? 0,
      remoteTracks: state.remoteStream?.getTracks().length ?? 0,
    };
  });
}

export async function placeCall(page: Page, userId: string, media: Media): Promise<void> {
  await page.evaluate(({ userId, media }) => window.sealcallDiagnostics?.engine.call(userId, media), { userId, media });
}

export async function acceptCall(page: Page, media: Media): Promise<void> {
  // Under a second on a quiet machine; 10 s ran out on a 2-core machine at load 50.
  await expect.poll(async () => (await snapshot(page)).call?.state, { message: 'the call rings', timeout: 30_000 }).toBe('incoming');
  await page.evaluate((media) => window.sealcallDiagnostics?.engine.accept(media), media);
}

export async function hangUp(page: Page): Promise<void> {
  await page.evaluate(() => window.sealcallDiagnostics?.engine.hangup());
}

export async function waitForCallState(page: Page, state: CallView['state'], timeout = 15_000): Promise<void> {
  await expect.poll(async () => (await snapshot(page)).call?.state, { message: `the call reaches ${state}`, timeout }).toBe(state);
}

/**
 * Plays the other side's audio, as the call screen's RemoteAudio does: Chromium only pulls audio
 * through the receiver (so `totalSamplesReceived` only rises) while something plays it.
 */
export async function playRemoteAudio(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const stream = window.sealcallDiagnostics?.engine.getState().remoteStream;
    if (stream === null || stream === undefined) throw new Error('no remote stream to play');
    const audio = document.createElement('audio');
    audio.hidden = true;
    audio.srcObject = stream;
    document.body.append(audio);
    await audio.play();
  });
}

export async function counters(page: Page): Promise<CryptoCounters> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallDiagnostics');
    return diagnostics.counters();
  });
}

export async function mediaStats(page: Page): Promise<MediaProgress> {
  return page.evaluate(async () => {
    const diagnostics = window.sealcallDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallDiagnostics');
    return diagnostics.stats();
  });
}

export async function localTracks(page: Page): Promise<TrackState[]> {
  return page.evaluate(() => window.sealcallDiagnostics?.localTracks() ?? []);
}

export async function configureEngine(page: Page, options: Parameters<SealcallDiagnostics['configure']>[0]): Promise<void> {
  await page.evaluate((options) => {
    window.sealcallDiagnostics?.configure(options);
  }, options);
}

/** Both sides connected, each playing the other's audio. */
export async function connectCall(caller: Page, callee: Page, calleeId: string, media: Media = { audio: true, video: true }): Promise<void> {
  await placeCall(caller, calleeId, media);
  await acceptCall(callee, media);
  await Promise.all([waitForCallState(caller, 'connected'), waitForCallState(callee, 'connected')]);
  await Promise.all([playRemoteAudio(caller), playRemoteAudio(callee)]);
}

/** Each page's video keeps decoding: more than `more` frames beyond its count now (15 s at most). */
export async function expectDecoding(pages: readonly Page[], more = 0): Promise<void> {
  const starts = await Promise.all(pages.map((page) => mediaStats(page)));
  await Promise.all(
    pages.map((page, index) =>
      expect.poll(async () => (await mediaStats(page)).framesDecoded, { timeout: 15_000 }).toBeGreaterThan((starts[index]?.framesDecoded ?? 0) + more),
    ),
  );
}

export function total(perKind: { audio: number; video: number }): number {
  return perKind.audio + perKind.video;
}
