import { describe, expect, it } from 'vitest';
import { sdpSessionId } from './sdp-session';

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
