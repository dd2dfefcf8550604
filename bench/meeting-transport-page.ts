/**
 * In-page readings for the meeting-transport benchmark (run through page.evaluate, so each is
 * self-contained): what a member's page uploads over every peer connection it made, and what its
 * worker has opened from each other member. The connections are the ones bench/call-timeline.ts
 * installCallTimeline records, so it must run in the page before the call starts.
 */
import type {} from '../e2e/harness/page-globals';
import type {} from '../renderer/call/group/group-diagnostics';
import type {} from './call-timeline';

export interface UploadReading {
  /**
   * bytesSent of every outbound-rtp of every open peer connection the page made, by stream
   * (connection and stats id): a connection replaced between two readings takes its counters with
   * it, so a window sums each stream's own difference, never one total against another.
   */
  bytesSent: Record<string, number>;
  /** Video frames encoded, by video outbound-rtp (one per receiver in a mesh, one per layer to the SFU). */
  framesEncoded: Record<string, number>;
  /** Outbound video streams (one per connection in a mesh, one to the SFU). */
  videoStreams: number;
  /** The height each outbound video stream is encoded at now: WebRTC scales it down when the CPU or the path is short. */
  sentHeights: number[];
  /** The camera track's size and rate as captured, e.g. "1280×720 @ 20". */
  camera: string;
  /** Per other member: video frames this page's worker has decrypted from them so far. */
  decryptedVideo: Record<string, number>;
}

export async function readUpload(): Promise<UploadReading> {
  const connections = window.__bench?.connections ?? [];
  const bytesSent: Record<string, number> = {};
  const framesEncoded: Record<string, number> = {};
  let videoStreams = 0;
  const sentHeights: number[] = [];
  let camera = '?';
  for (const [index, pc] of connections.entries()) {
    // A closed connection has no stats: its streams drop out of the reading.
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat['type'] !== 'outbound-rtp') return;
      const stream = `${String(index)}/${String(stat['id'])}`;
      if (typeof stat['bytesSent'] === 'number') bytesSent[stream] = stat['bytesSent'];
      if (stat['kind'] !== 'video') return;
      videoStreams += 1;
      if (typeof stat['frameHeight'] === 'number') sentHeights.push(stat['frameHeight']);
      if (typeof stat['framesEncoded'] === 'number') framesEncoded[stream] = stat['framesEncoded'];
    });
    for (const sender of pc.getSenders()) {
      const settings = sender.track?.kind === 'video' ? sender.track.getSettings() : undefined;
      if (settings?.width !== undefined) camera = `${String(settings.width)}×${String(settings.height)} @ ${String(settings.frameRate)}`;
    }
  }
  const senders = window.sealcallGroupDiagnostics?.counters().senders ?? [];
  return { bytesSent, framesEncoded, videoStreams, sentHeights, camera, decryptedVideo: Object.fromEntries(senders.map((entry) => [entry.userId, entry.decrypted.video])) };
}

/** What carries this page's group call now ('mesh' or 'sfu'), and how many pairs the mesh has. */
export function transportNow(): { transport: string; pairs: number } {
  const state = window.sealcallGroupDiagnostics?.state();
  return { transport: state?.transport ?? 'none', pairs: state?.peers.length ?? 0 };
}
