import { emptyReport, type CryptoReport } from '../workers/frame-crypto-messages';
import type { CallEngineState, ConnectionQuality, FrameCounters } from './call-engine-types';

export function unknownQuality(): ConnectionQuality {
  return { level: 'unknown', roundTripMs: null, packetLossPercent: null, bitrateKbps: null, sendBitrateKbps: null, relayed: null };
}

export function countersOf(report: CryptoReport): FrameCounters {
  return { encrypted: { ...report.encrypted }, decrypted: { ...report.decrypted }, failed: { ...report.failed } };
}

export function idleState(): CallEngineState {
  return {
    call: null,
    placing: null,
    localStream: null,
    remoteStream: null,
    muted: false,
    cameraOff: false,
    encryption: 'idle',
    counters: countersOf(emptyReport()),
    quality: unknownQuality(),
    error: null,
    sharing: false,
    remoteSharing: false,
    reconnecting: false,
    answering: false,
  };
}
