import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../shared/ipc';
import { historyEntryFor } from './history-outcome';

const base: CallView = {
  callId: 'AAAAAAAAAAAAAAAAAAAAAA',
  peerId: 'bob',
  peerName: 'Bob',
  direction: 'outgoing',
  state: 'ended',
  media: { audio: true, video: true },
  remoteMedia: null,
  startedAt: 1000,
  connectedAt: null,
  endedAt: 5000,
  endReason: 'hangup',
  shortCode: null,
  peerVerified: false,
  peerKeyChanged: false,
};

describe('history outcome', () => {
  it.each([
    [{ connectedAt: 2000 }, 'completed'],
    [{ endReason: 'declined' }, 'declined'],
    [{ endReason: 'busy' }, 'busy'],
    [{ endReason: 'cancelled' }, 'cancelled'],
    [{ endReason: 'timeout' }, 'unanswered'],
    [{ endReason: 'mitm-detected' }, 'failed'],
    [{ endReason: 'mitm-detected', connectedAt: 2000 }, 'failed'],
    [{ direction: 'incoming', endReason: 'cancelled' }, 'missed'],
    [{ direction: 'incoming', endReason: 'timeout' }, 'missed'],
    [{ direction: 'incoming', endReason: 'declined' }, 'declined'],
    [{ direction: 'incoming', endReason: 'connection-lost', shortCode: '123456789012' }, 'failed'],
    [{ direction: 'incoming', endReason: 'remote-hangup', connectedAt: 1500 }, 'completed'],
  ] as [Partial<CallView>, string][])('%o reads as %s', (change, outcome) => {
    const entry = historyEntryFor({ ...base, ...change });
    expect(entry.outcome).toBe(outcome);
    if (outcome === 'completed') expect(entry.answeredAt).toBeDefined();
  });
});
