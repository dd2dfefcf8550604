import type { ConnectionQuality } from './call-engine-types';

/** What getStats says about the media, summed over the call's streams. */
export interface MediaProgress {
  /** When the sample was taken (performance.now()). */
  at: number;
  framesDecoded: number;
  /** Video key frames decoded: one follows each key generation switch. */
  keyFramesDecoded: number;
  framesReceived: number;
  framesEncoded: number;
  /** Audio samples played out, concealment included. */
  totalSamplesReceived: number;
  /** Audio samples made up by packet-loss concealment rather than decoded. */
  concealedSamples: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  bytesSent: number;
  roundTripMs: number | null;
  /** Through a TURN relay rather than direct; null before a candidate pair is chosen. */
  relayed: boolean | null;
  /** The media codecs the streams use ("audio/opus", "video/VP8"): encryption allows no others. */
  codecs: string[];
}

export function emptyProgress(): MediaProgress {
  return {
    at: 0,
    framesDecoded: 0,
    keyFramesDecoded: 0,
    framesReceived: 0,
    framesEncoded: 0,
    totalSamplesReceived: 0,
    concealedSamples: 0,
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    bytesSent: 0,
    roundTripMs: null,
    relayed: null,
    codecs: [],
  };
}

type Stat = Record<string, unknown> & { type: string; id: string };

function num(stat: Stat, key: string): number {
  const value = stat[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export async function sampleMedia(pc: RTCPeerConnection): Promise<MediaProgress> {
  const report = await pc.getStats();
  const stats = new Map<string, Stat>();
  report.forEach((value: Stat) => {
    stats.set(value.id, value);
  });
  const progress = emptyProgress();
  progress.at = performance.now();
  let pairId: string | undefined;
  const codecs = new Set<string>();
  const codecOf = (stat: Stat) => {
    const codec = typeof stat['codecId'] === 'string' ? stats.get(stat['codecId']) : undefined;
    if (typeof codec?.['mimeType'] === 'string') codecs.add(codec['mimeType']);
  };
  for (const stat of stats.values()) {
    if (stat.type === 'inbound-rtp' || stat.type === 'outbound-rtp') codecOf(stat);
    if (stat.type === 'inbound-rtp') {
      progress.framesDecoded += num(stat, 'framesDecoded');
      progress.keyFramesDecoded += num(stat, 'keyFramesDecoded');
      progress.framesReceived += num(stat, 'framesReceived');
      progress.totalSamplesReceived += num(stat, 'totalSamplesReceived');
      progress.concealedSamples += num(stat, 'concealedSamples');
      progress.packetsReceived += num(stat, 'packetsReceived');
      progress.packetsLost += num(stat, 'packetsLost');
      progress.bytesReceived += num(stat, 'bytesReceived');
    } else if (stat.type === 'outbound-rtp') {
      progress.framesEncoded += num(stat, 'framesEncoded');
      progress.bytesSent += num(stat, 'bytesSent');
    } else if (stat.type === 'transport' && typeof stat['selectedCandidatePairId'] === 'string') {
      pairId = stat['selectedCandidatePairId'];
    }
  }
  progress.codecs = [...codecs].sort();
  const pair = pairId === undefined ? undefined : stats.get(pairId);
  if (pair !== undefined) {
    const rtt = pair['currentRoundTripTime'];
    progress.roundTripMs = typeof rtt === 'number' ? Math.round(rtt * 1000) : null;
    const local = typeof pair['localCandidateId'] === 'string' ? stats.get(pair['localCandidateId']) : undefined;
    const remote = typeof pair['remoteCandidateId'] === 'string' ? stats.get(pair['remoteCandidateId']) : undefined;
    if (local !== undefined || remote !== undefined) {
      progress.relayed = local?.['candidateType'] === 'relay' || remote?.['candidateType'] === 'relay';
    }
  }
  return progress;
}

/**
 * The quality indicator from two samples about a second apart: loss over that interval, round
 * trip, and the received bitrate. Thresholds as people hear them: under 2 % loss and 300 ms is a
 * good call; past 8 % or 600 ms words get lost.
 */
export function qualityBetween(previous: MediaProgress | undefined, current: MediaProgress): ConnectionQuality {
  const seconds = previous === undefined ? 0 : (current.at - previous.at) / 1000;
  let packetLossPercent: number | null = null;
  let bitrateKbps: number | null = null;
  if (previous !== undefined && seconds > 0) {
    const received = current.packetsReceived - previous.packetsReceived;
    const lost = Math.max(0, current.packetsLost - previous.packetsLost);
    if (received + lost > 0) packetLossPercent = Math.round((1000 * lost) / (received + lost)) / 10;
    bitrateKbps = Math.round(((current.bytesReceived - previous.bytesReceived) * 8) / seconds / 1000);
  }
  const rtt = current.roundTripMs;
  let level: ConnectionQuality['level'] = 'unknown';
  if (rtt !== null || packetLossPercent !== null) {
    const loss = packetLossPercent ?? 0;
    const trip = rtt ?? 0;
    level = loss < 2 && trip < 300 ? 'good' : loss < 8 && trip < 600 ? 'fair' : 'poor';
  }
  return { level, roundTripMs: rtt, packetLossPercent, bitrateKbps, relayed: current.relayed };
}
