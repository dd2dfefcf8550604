import { describe, expect, it } from 'vitest';
import { EndedSessions, sdpSessionId } from './sdp-session';

describe('sdpSessionId', () => {
  it("reads the origin line's session id, which an ICE restart keeps", () => {
    const first = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n';
    const restart = 'v=0\r\no=- 4611731400430051336 3 IN IP4 127.0.0.1\r\ns=-\r\n';
    const fresh = 'v=0\r\no=- 8913442270010385120 2 IN IP4 127.0.0.1\r\ns=-\r\n';
    expect(sdpSessionId(first)).toBe('4611731400430051336');
    expect(sdpSessionId(restart)).toBe(sdpSessionId(first));
    expect(sdpSessionId(fresh)).not.toBe(sdpSessionId(first));
  });

  it('gives null for an SDP without a well-formed origin', () => {
    expect(sdpSessionId('v=0\r\ns=-\r\n')).toBeNull();
    expect(sdpSessionId('v=0\r\no=- not-a-number 2 IN IP4 127.0.0.1\r\n')).toBeNull();
    expect(sdpSessionId('')).toBeNull();
  });
});

describe('EndedSessions', () => {
  const sdp = (session: string, version = 2) => `v=0\r\no=- ${session} ${String(version)} IN IP4 127.0.0.1\r\ns=-\r\n`;

  it("marks an SDP of a member's ended peer connection stale, an ICE restart of it too, and no other", () => {
    const ended = new EndedSessions();
    ended.end('bob', '4611731400430051336');
    expect(ended.isStale('bob', sdp('4611731400430051336'))).toBe(true);
    expect(ended.isStale('bob', sdp('4611731400430051336', 7))).toBe(true);
    expect(ended.isStale('bob', sdp('8913442270010385120'))).toBe(false);
    expect(ended.isStale('carol', sdp('4611731400430051336'))).toBe(false);
    expect(ended.isStale('bob', 'v=0\r\ns=-\r\n')).toBe(false);
  });

  it('keeps a bounded number per member, and forgets a member', () => {
    const ended = new EndedSessions();
    for (let index = 1; index <= 40; index += 1) ended.end('bob', String(index));
    expect(ended.isStale('bob', sdp('1'))).toBe(false);
    expect(ended.isStale('bob', sdp('40'))).toBe(true);
    ended.end('bob', null);
    ended.forget('bob');
    expect(ended.isStale('bob', sdp('40'))).toBe(false);
  });
});
