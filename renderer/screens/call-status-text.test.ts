import { describe, expect, it } from 'vitest';
import { endedText, formatElapsed, formatShortCode, isSecurityEnd } from './call-status-text';

describe('endedText', () => {
  it('names the other person where it helps', () => {
    expect(endedText('declined', 'outgoing', 'Bob Baker')).toBe('Bob declined');
    expect(endedText('busy', 'outgoing', 'Bob Baker')).toBe('Bob is busy');
    expect(endedText('unavailable', 'outgoing', 'Bob Baker')).toBe('Bob is unavailable');
    expect(endedText('timeout', 'outgoing', 'Bob Baker')).toBe('No answer');
    expect(endedText('timeout', 'incoming', 'Bob Baker')).toBe('Missed call from Bob');
  });

  it('says the same thing for every way a connection drops', () => {
    for (const reason of ['connection-lost', 'peer-disconnected', 'server-lost'] as const) {
      expect(endedText(reason, 'outgoing', 'Bob Baker')).toBe('Connection lost');
    }
    expect(endedText('hangup', 'incoming', 'Bob Baker')).toBe('Call ended');
    expect(endedText('remote-hangup', 'outgoing', 'Bob Baker')).toBe('Call ended');
  });

  it('calls out a man in the middle, and counts it as a security end', () => {
    expect(endedText('mitm-detected', 'outgoing', 'Bob Baker')).toBe('Possible man-in-the-middle: call ended');
    expect(isSecurityEnd('mitm-detected')).toBe(true);
    expect(isSecurityEnd('declined')).toBe(false);
  });
});

describe('formatElapsed', () => {
  it('reads like a call timer', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(7_900)).toBe('0:07');
    expect(formatElapsed(754_000)).toBe('12:34');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
  });
});

describe('formatShortCode', () => {
  it('groups twelve digits in threes of four', () => {
    expect(formatShortCode('123456789012')).toBe('1234 5678 9012');
  });
});
