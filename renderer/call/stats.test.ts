import { describe, expect, it } from 'vitest';
import { progressFromStats, qualityBetween, qualityLevel, type Stat } from './stats';

/*
 * getStats reports shaped like Chromium's (trimmed to the fields Sealcall reads), one second
 * apart, for a relayed call and a direct one.
 */

interface Counts {
  audioReceived: number;
  audioLost: number;
  videoReceived: number;
  videoLost: number;
  bytesReceived: number;
  sent: number;
  lostByPeer: number;
  bytesSent: number;
}

function report(counts: Counts, route: { local: string; remote: string; rttSeconds?: number }): Stat[] {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CPabc', dtlsState: 'connected' },
    { id: 'CPxyz', type: 'candidate-pair', localCandidateId: 'I-host', remoteCandidateId: 'I-rhost', state: 'failed', nominated: false },
    { id: 'CPabc', type: 'candidate-pair', localCandidateId: 'I-local', remoteCandidateId: 'I-remote', state: 'succeeded', nominated: true, currentRoundTripTime: route.rttSeconds },
    { id: 'I-host', type: 'local-candidate', candidateType: 'host', address: '127.0.0.1' },
    { id: 'I-rhost', type: 'remote-candidate', candidateType: 'host', address: '127.0.0.1' },
    { id: 'I-local', type: 'local-candidate', candidateType: route.local, address: '127.0.0.1' },
    { id: 'I-remote', type: 'remote-candidate', candidateType: route.remote, address: '127.0.0.1' },
    { id: 'COT01_111', type: 'codec', mimeType: 'audio/opus', clockRate: 48000 },
    { id: 'COT01_96', type: 'codec', mimeType: 'video/VP8', clockRate: 90000 },
    { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', codecId: 'COT01_111', packetsReceived: counts.audioReceived, packetsLost: counts.audioLost, bytesReceived: Math.round(counts.bytesReceived * 0.1), totalSamplesReceived: 48_000, concealedSamples: 960 },
    { id: 'IT01V', type: 'inbound-rtp', kind: 'video', codecId: 'COT01_96', packetsReceived: counts.videoReceived, packetsLost: counts.videoLost, bytesReceived: Math.round(counts.bytesReceived * 0.9), framesDecoded: 30, keyFramesDecoded: 1, framesReceived: 30 },
    { id: 'OT01A', type: 'outbound-rtp', kind: 'audio', codecId: 'COT01_111', packetsSent: Math.round(counts.sent * 0.4), bytesSent: Math.round(counts.bytesSent * 0.1) },
    { id: 'OT01V', type: 'outbound-rtp', kind: 'video', codecId: 'COT01_96', packetsSent: Math.round(counts.sent * 0.6), bytesSent: Math.round(counts.bytesSent * 0.9), framesEncoded: 30 },
    { id: 'RI01V', type: 'remote-inbound-rtp', kind: 'video', packetsLost: counts.lostByPeer, roundTripTime: 0.05, fractionLost: 0 },
  ];
}

const start: Counts = { audioReceived: 500, audioLost: 0, videoReceived: 1000, videoLost: 0, bytesReceived: 1_000_000, sent: 1500, lostByPeer: 0, bytesSent: 900_000 };

function after(change: Partial<Counts>): Counts {
  return {
    audioReceived: start.audioReceived + 50,
    audioLost: start.audioLost,
    videoReceived: start.videoReceived + 100,
    videoLost: start.videoLost,
    bytesReceived: start.bytesReceived + 125_000,
    sent: start.sent + 150,
    lostByPeer: start.lostByPeer,
    bytesSent: start.bytesSent + 62_500,
    ...change,
  };
}

describe('progressFromStats', () => {
  it('reads the selected pair, not just any pair: a relayed call through TURN', () => {
    const progress = progressFromStats(report(start, { local: 'relay', remote: 'relay', rttSeconds: 0.012 }), 1000);
    expect(progress).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'relay', relayed: true, roundTripMs: 12 });
    expect(progress.codecs).toEqual(['audio/opus', 'video/VP8']);
    expect(progress.packetsReceived).toBe(1500);
    expect(progress.framesDecoded).toBe(30);
  });

  it('a direct call is not relayed', () => {
    const progress = progressFromStats(report(start, { local: 'host', remote: 'srflx', rttSeconds: 0.002 }), 1000);
    expect(progress).toMatchObject({ localCandidateType: 'host', remoteCandidateType: 'srflx', relayed: false, roundTripMs: 2 });
  });

  it('only the other side on a relay still goes through a relay', () => {
    expect(progressFromStats(report(start, { local: 'srflx', remote: 'relay' }), 0).relayed).toBe(true);
  });

  it('without selectedCandidatePairId (Firefox), takes the nominated pair that succeeded', () => {
    const stats = report(start, { local: 'relay', remote: 'host', rttSeconds: 0.03 }).map((stat) => (stat.type === 'transport' ? { id: stat.id, type: stat.type } : stat));
    expect(progressFromStats(stats, 0)).toMatchObject({ localCandidateType: 'relay', relayed: true, roundTripMs: 30 });
  });

  it('before a pair is chosen: no route, and the RTCP round trip stands in', () => {
    const stats = report(start, { local: 'relay', remote: 'relay' }).filter((stat) => stat.type !== 'transport');
    for (const stat of stats) if (stat.type === 'candidate-pair') stat['nominated'] = false;
    expect(progressFromStats(stats, 0)).toMatchObject({ localCandidateType: null, relayed: null, roundTripMs: 50 });
  });
});

describe('qualityBetween', () => {
  const route = { local: 'host', remote: 'host', rttSeconds: 0.04 };
  const first = progressFromStats(report(start, route), 1000);

  it('a clean second: good, with both bitrates', () => {
    const quality = qualityBetween(first, progressFromStats(report(after({}), route), 2000));
    expect(quality).toEqual({ level: 'good', roundTripMs: 40, packetLossPercent: 0, bitrateKbps: 1000, sendBitrateKbps: 500, relayed: false });
  });

  it('5 % of what we receive lost: fair', () => {
    const quality = qualityBetween(first, progressFromStats(report(after({ videoReceived: start.videoReceived + 140, videoLost: 10 }), route), 2000));
    expect(quality.packetLossPercent).toBe(5);
    expect(quality.level).toBe('fair');
  });

  it('loss in what we send, as the other side reports it, counts too', () => {
    const quality = qualityBetween(first, progressFromStats(report(after({ lostByPeer: 30 }), route), 2000));
    expect(quality.packetLossPercent).toBe(20);
    expect(quality.level).toBe('poor');
  });

  it('a long round trip alone makes it fair, then poor', () => {
    const slow = (rttSeconds: number) => qualityBetween(first, progressFromStats(report(after({}), { ...route, rttSeconds }), 2000)).level;
    expect(slow(0.299)).toBe('good');
    expect(slow(0.45)).toBe('fair');
    expect(slow(0.9)).toBe('poor');
  });

  it('too few packets to judge loss: one lost of ten is not 10 % loss', () => {
    const quiet = qualityBetween(first, progressFromStats(report(after({ audioReceived: start.audioReceived + 9, audioLost: 1, videoReceived: start.videoReceived, sent: start.sent + 10 }), route), 2000));
    expect(quiet.packetLossPercent).toBeNull();
    expect(quiet.level).toBe('good');
  });

  it('counters from a new peer connection give no negative bitrate', () => {
    const restarted = progressFromStats(report({ ...start, bytesReceived: 1000, bytesSent: 1000 }, route), 2000);
    const quality = qualityBetween(first, restarted);
    expect(quality.bitrateKbps).toBeNull();
    expect(quality.sendBitrateKbps).toBeNull();
  });

  it('the first sample has a round trip but no loss or bitrate yet', () => {
    expect(qualityBetween(undefined, first)).toEqual({ level: 'good', roundTripMs: 40, packetLossPercent: null, bitrateKbps: null, sendBitrateKbps: null, relayed: false });
  });
});

describe('qualityLevel', () => {
  it('unknown until there is something to judge by', () => {
    expect(qualityLevel(null, null)).toBe('unknown');
  });

  it('the worse of loss and round trip decides', () => {
    expect(qualityLevel(20, 1.9)).toBe('good');
    expect(qualityLevel(20, 2)).toBe('fair');
    expect(qualityLevel(20, 10)).toBe('poor');
    expect(qualityLevel(799, 0)).toBe('fair');
    expect(qualityLevel(800, 0)).toBe('poor');
  });
});
