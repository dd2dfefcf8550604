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
  /** The received sound's energy so far: it stays put while the other side is muted (sends silence). */
  totalAudioEnergy: number;
  packetsReceived: number;
  packetsLost: number;
  packetsSent: number;
  /** Our packets the other side reports lost (its RTCP receiver reports). */
  packetsLostByPeer: number;
  bytesReceived: number;
  bytesSent: number;
  roundTripMs: number | null;
  /** Candidate types of the selected pair ('host', 'srflx', 'prflx', 'relay'); null before one is chosen. */
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  /** Through a TURN relay rather than direct; null before a candidate pair is chosen. */
  relayed: boolean | null;
  /** The media codecs the streams use ("audio/opus", "video/VP8"): encryption allows no others. */
  codecs: string[];
}

/**
 * How often a call samples getStats for its quality indicator. A whole report each time: the CPU
 * bench measured once a second as most of the app's own in-call work (docs/benchmarks.md, "CPU cost
 * of E2EE"), and every 2 s still shows a bad link within a breath.
 */
export const APP_STATS_INTERVAL_MS = 2000;

export function emptyProgress(): MediaProgress {
  return {
    at: 0,
    framesDecoded: 0,
    keyFramesDecoded: 0,
    framesReceived: 0,
    framesEncoded: 0,
    totalSamplesReceived: 0,
    concealedSamples: 0,
    totalAudioEnergy: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsSent: 0,
    packetsLostByPeer: 0,
    bytesReceived: 0,
    bytesSent: 0,
    roundTripMs: null,
    localCandidateType: null,
    remoteCandidateType: null,
    relayed: null,
    codecs: [],
  };
}

/** One entry of an RTCStatsReport, as plain data. */
export type Stat = Record<string, unknown> & { type: string; id: string };

function num(stat: Stat, key: string): number {
  const value = stat[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function text(stat: Stat | undefined, key: string): string | undefined {
  const value = stat?.[key];
  return typeof value === 'string' ? value : undefined;
}

export async function sampleMedia(pc: RTCPeerConnection): Promise<MediaProgress> {
  const report = await pc.getStats();
  const stats: Stat[] = [];
  report.forEach((value: Stat) => {
    stats.push(value);
  });
  return progressFromStats(stats, performance.now());
}

/**
 * The selected candidate pair: the transport names it in Chromium and Safari; Firefox has no
 * selectedCandidatePairId, and there the nominated pair that succeeded is the one in use.
 */
function selectedPair(stats: ReadonlyMap<string, Stat>): Stat | undefined {
  for (const stat of stats.values()) {
    const id = stat.type === 'transport' ? text(stat, 'selectedCandidatePairId') : undefined;
    if (id !== undefined && stats.has(id)) return stats.get(id);
  }
  for (const stat of stats.values()) {
    if (stat.type === 'candidate-pair' && stat['nominated'] === true && stat['state'] === 'succeeded') return stat;
  }
  return undefined;
}

/** Sums one getStats report into MediaProgress: pure, so recorded reports can be replayed in tests. */
export function progressFromStats(report: Iterable<Stat>, at: number): MediaProgress {
  const stats = new Map<string, Stat>();
  for (const stat of report) stats.set(stat.id, stat);
  const progress = emptyProgress();
  progress.at = at;
  const codecs = new Set<string>();
  let peerRoundTripMs: number | null = null;
  for (const stat of stats.values()) {
    if (stat.type === 'inbound-rtp' || stat.type === 'outbound-rtp') {
      const mimeType = text(stats.get(text(stat, 'codecId') ?? ''), 'mimeType');
      if (mimeType !== undefined) codecs.add(mimeType);
    }
    if (stat.type === 'inbound-rtp') {
      progress.framesDecoded += num(stat, 'framesDecoded');
      progress.keyFramesDecoded += num(stat, 'keyFramesDecoded');
      progress.framesReceived += num(stat, 'framesReceived');
      progress.totalSamplesReceived += num(stat, 'totalSamplesReceived');
      progress.concealedSamples += num(stat, 'concealedSamples');
      progress.totalAudioEnergy += num(stat, 'totalAudioEnergy');
      progress.packetsReceived += num(stat, 'packetsReceived');
      progress.packetsLost += num(stat, 'packetsLost');
      progress.bytesReceived += num(stat, 'bytesReceived');
    } else if (stat.type === 'outbound-rtp') {
      progress.framesEncoded += num(stat, 'framesEncoded');
      progress.packetsSent += num(stat, 'packetsSent');
      progress.bytesSent += num(stat, 'bytesSent');
    } else if (stat.type === 'remote-inbound-rtp') {
      progress.packetsLostByPeer += num(stat, 'packetsLost');
      const rtt = stat['roundTripTime'];
      if (typeof rtt === 'number' && Number.isFinite(rtt)) peerRoundTripMs = Math.max(peerRoundTripMs ?? 0, Math.round(rtt * 1000));
    }
  }
  progress.codecs = [...codecs].sort();
  const pair = selectedPair(stats);
  const pairRtt = pair?.['currentRoundTripTime'];
  // The pair's STUN round trip first; RTCP's, from the other side's receiver reports, where there is none yet.
  progress.roundTripMs = typeof pairRtt === 'number' && Number.isFinite(pairRtt) ? Math.round(pairRtt * 1000) : peerRoundTripMs;
  if (pair !== undefined) {
    const local = stats.get(text(pair, 'localCandidateId') ?? '');
    const remote = stats.get(text(pair, 'remoteCandidateId') ?? '');
    progress.localCandidateType = text(local, 'candidateType') ?? null;
    progress.remoteCandidateType = text(remote, 'candidateType') ?? null;
    if (local !== undefined || remote !== undefined) {
      // Either end on a relay means the media goes through one.
      progress.relayed = progress.localCandidateType === 'relay' || progress.remoteCandidateType === 'relay';
    }
  }
  return progress;
}

/**
 * Below this many packets in an interval, one lost packet would swing the loss by several
 * percent: too few to judge by. Audio alone sends 50 a second.
 */
const MIN_PACKETS_FOR_LOSS = 40;

/*
 * Levels as people hear them, after ITU-T G.114 (a one-way delay under 150 ms is unnoticed, past
 * 400 ms conversation breaks down) and the loss Opus and VP8 hide: under 2 % is inaudible, past
 * 10 % words and frames go missing. The worse of loss and round trip decides.
 */
const GOOD = { lossPercent: 2, roundTripMs: 300 };
const FAIR = { lossPercent: 10, roundTripMs: 800 };

function lossPercent(lost: number, delivered: number): number | null {
  const total = Math.max(0, lost) + Math.max(0, delivered);
  if (total < MIN_PACKETS_FOR_LOSS) return null;
  return Math.round((1000 * Math.max(0, lost)) / total) / 10;
}

function kbps(bytes: number, seconds: number): number | null {
  // Counters restart with a new peer connection: a negative delta is no rate at all.
  return bytes < 0 ? null : Math.round((bytes * 8) / seconds / 1000);
}

export function qualityLevel(roundTripMs: number | null, packetLossPercent: number | null): ConnectionQuality['level'] {
  if (roundTripMs === null && packetLossPercent === null) return 'unknown';
  const loss = packetLossPercent ?? 0;
  const trip = roundTripMs ?? 0;
  if (loss < GOOD.lossPercent && trip < GOOD.roundTripMs) return 'good';
  if (loss < FAIR.lossPercent && trip < FAIR.roundTripMs) return 'fair';
  return 'poor';
}

/**
 * The quality indicator from two samples about a second apart: loss over that interval in the
 * worse direction (what we receive, and what the other side reports of what we send), the round
 * trip, and the bitrate each way.
 */
export function qualityBetween(previous: MediaProgress | undefined, current: MediaProgress): ConnectionQuality {
  const seconds = previous === undefined ? 0 : (current.at - previous.at) / 1000;
  let packetLossPercent: number | null = null;
  let bitrateKbps: number | null = null;
  let sendBitrateKbps: number | null = null;
  if (previous !== undefined && seconds > 0) {
    const lostHere = current.packetsLost - previous.packetsLost;
    const received = lossPercent(lostHere, current.packetsReceived - previous.packetsReceived);
    const lostThere = current.packetsLostByPeer - previous.packetsLostByPeer;
    const sent = lossPercent(lostThere, current.packetsSent - previous.packetsSent - Math.max(0, lostThere));
    packetLossPercent = received === null ? sent : sent === null ? received : Math.max(received, sent);
    bitrateKbps = kbps(current.bytesReceived - previous.bytesReceived, seconds);
    sendBitrateKbps = kbps(current.bytesSent - previous.bytesSent, seconds);
  }
  const roundTripMs = current.roundTripMs;
  return {
    level: qualityLevel(roundTripMs, packetLossPercent),
    roundTripMs,
    packetLossPercent,
    bitrateKbps,
    sendBitrateKbps,
    relayed: current.relayed,
  };
}
