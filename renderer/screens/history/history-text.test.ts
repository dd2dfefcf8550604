import { describe, expect, it } from 'vitest';
import { formatDuration, formatWhen, historyKind, missedCallsText, outcomeText } from './history-text';

const base = { peerName: 'Bob Baker', durationMs: 0 } as const;

describe('history text', () => {
  it('calls a missed incoming call missed, and everything else by its direction', () => {
    expect(historyKind({ direction: 'incoming', outcome: 'missed' })).toBe('missed');
    expect(historyKind({ direction: 'incoming', outcome: 'completed' })).toBe('incoming');
    expect(historyKind({ direction: 'incoming', outcome: 'declined' })).toBe('incoming');
    expect(historyKind({ direction: 'outgoing', outcome: 'unanswered' })).toBe('outgoing');
  });

  it('says how each call went from the reader’s side', () => {
    expect(outcomeText({ ...base, direction: 'outgoing', outcome: 'declined' })).toBe('Bob declined');
    expect(outcomeText({ ...base, direction: 'incoming', outcome: 'declined' })).toBe('You declined');
    expect(outcomeText({ ...base, direction: 'outgoing', outcome: 'busy' })).toBe('Bob was busy');
    expect(outcomeText({ ...base, direction: 'outgoing', outcome: 'unanswered' })).toBe('No answer');
    expect(outcomeText({ ...base, direction: 'outgoing', outcome: 'cancelled' })).toBe('Cancelled');
    expect(outcomeText({ ...base, direction: 'incoming', outcome: 'missed' })).toBe('Missed call');
    expect(outcomeText({ ...base, direction: 'outgoing', outcome: 'failed' })).toBe('Call failed');
    expect(outcomeText({ ...base, direction: 'incoming', outcome: 'completed', durationMs: 125_000 })).toBe('2 min 5 s');
  });

  it('writes durations in words a screen reader reads well', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(44_600)).toBe('45 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
  });

  it('shows today’s calls by time, yesterday’s as Yesterday, older ones by date', () => {
    const now = new Date(2024, 4, 15, 18, 0).getTime();
    expect(formatWhen(new Date(2024, 4, 15, 9, 5).getTime(), now, 'en-GB')).toBe('9:05');
    expect(formatWhen(new Date(2024, 4, 14, 23, 59).getTime(), now, 'en-GB')).toBe('Yesterday');
    expect(formatWhen(new Date(2024, 4, 2, 12, 0).getTime(), now, 'en-GB')).toBe('2 May');
    expect(formatWhen(new Date(2023, 11, 31, 12, 0).getTime(), now, 'en-GB')).toBe('31 Dec 2023');
  });

  it('counts missed calls in the singular and plural', () => {
    expect(missedCallsText(1)).toBe('1 missed call');
    expect(missedCallsText(3)).toBe('3 missed calls');
  });
});
