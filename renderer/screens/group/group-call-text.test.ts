import { describe, expect, it } from 'vitest';
import { groupSecurityCode } from '../../../shared/crypto/group-security-code';
import { groupCodeDigits, noticeText, peopleCount, tileStateText, tileSummary } from './group-call-text';

describe('noticeText', () => {
  it('says who joined, left or was removed', () => {
    expect(noticeText({ kind: 'joined', name: 'Dana' })).toBe('Dana joined');
    expect(noticeText({ kind: 'left', name: 'Bob' })).toBe('Bob left');
    expect(noticeText({ kind: 'removed', name: 'Alex Kim (k1)' })).toBe('Alex Kim (k1) was removed from the call');
    expect(noticeText({ kind: 'busy', name: 'Dana' })).toBe('Dana is busy in another call');
    expect(noticeText({ kind: 'hand', name: 'Dana' })).toBe('Dana raised their hand');
  });
});

describe('tileStateText', () => {
  it('says nothing over a connected tile', () => {
    expect(tileStateText('connected')).toBeNull();
    expect(tileStateText('connecting')).toBe('Connecting…');
    expect(tileStateText('reconnecting')).toBe('Reconnecting…');
    expect(tileStateText('cant-decrypt')).toBe("Can't decrypt");
  });
});

describe('tileSummary', () => {
  it('names the person and what is off', () => {
    expect(tileSummary('Dana Scully', false, false, false)).toBe('Dana Scully');
    expect(tileSummary('Dana Scully', true, true, true)).toBe('Dana Scully (you), microphone off, camera off');
    expect(tileSummary('Bob', false, false, true)).toBe('Bob, camera off');
    expect(tileSummary('Bob', false, true, false, true)).toBe('Bob, safety number changed, microphone off');
    expect(tileSummary('Me', true, false, false, true)).toBe('Me (you)');
    expect(tileSummary('Bob', false, true, false, false, true)).toBe('Bob, hand raised, microphone off');
  });
});

describe('groupCodeDigits', () => {
  it('takes the shared code as it is made', () => {
    const code = groupSecurityCode(new Uint8Array(32).fill(7));
    const digits = groupCodeDigits(code);
    expect(digits).toMatch(/^[0-9]{20}$/u);
    expect(digits).toBe(code.replace(/ /gu, ''));
  });

  it('refuses anything that is not 20 digits', () => {
    expect(groupCodeDigits(null)).toBeNull();
    expect(groupCodeDigits('')).toBeNull();
    expect(groupCodeDigits('12345 67890 12345')).toBeNull();
    expect(groupCodeDigits('12345 67890 12345 6789x')).toBeNull();
    expect(groupCodeDigits('12345 67890 12345 67890 1')).toBeNull();
    expect(groupCodeDigits('١٢٣٤٥ ١٢٣٤٥ ١٢٣٤٥ ١٢٣٤٥')).toBeNull();
  });
});

describe('peopleCount', () => {
  it('counts people', () => {
    expect(peopleCount(1)).toBe('1 person');
    expect(peopleCount(8)).toBe('8 people');
  });
});
