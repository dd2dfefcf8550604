import { describe, expect, it } from 'vitest';
import { MAX_PEER_MESSAGE_CHARS, encodePeerMessage, parsePeerMessage } from './peer';
import { PROTOCOL_VERSION } from './version';

describe('peer data-channel messages', () => {
  it('round-trips a screen-share message, as text or as bytes', () => {
    const wire = encodePeerMessage({ v: PROTOCOL_VERSION, type: 'screen-share', sharing: true });
    expect(parsePeerMessage(wire)).toEqual({ v: PROTOCOL_VERSION, type: 'screen-share', sharing: true });
    expect(parsePeerMessage(new TextEncoder().encode(wire))).toEqual({ v: PROTOCOL_VERSION, type: 'screen-share', sharing: true });
  });

  it('ignores anything else', () => {
    const junk: unknown[] = [
      'not json',
      `{"v":${PROTOCOL_VERSION},"type":"screen-share","sharing":"yes"}`,
      `{"v":${PROTOCOL_VERSION},"type":"screen-share","sharing":true,"extra":1}`,
      `{"v":${PROTOCOL_VERSION + 1},"type":"screen-share","sharing":true}`,
      `{"v":${PROTOCOL_VERSION - 1},"type":"screen-share","sharing":true}`,
      `{"v":${PROTOCOL_VERSION},"type":"file","name":"x"}`,
      `{"v":${PROTOCOL_VERSION},"type":"screen-share","sharing":true,"pad":"${'x'.repeat(MAX_PEER_MESSAGE_CHARS)}"}`,
      new Uint8Array(MAX_PEER_MESSAGE_CHARS + 1),
      42,
      null,
      { v: PROTOCOL_VERSION, type: 'screen-share', sharing: true },
    ];
    for (const raw of junk) expect(parsePeerMessage(raw)).toBeNull();
  });

  it("round-trips a group member's state and refuses a malformed one", () => {
    const state = { v: PROTOCOL_VERSION, type: 'member-state', muted: true, cameraOff: false, sharing: false } as const;
    expect(parsePeerMessage(encodePeerMessage(state))).toEqual(state);
    const bad: unknown[] = [
      `{"v":${PROTOCOL_VERSION},"type":"member-state","muted":true,"cameraOff":false}`,
      `{"v":${PROTOCOL_VERSION},"type":"member-state","muted":1,"cameraOff":false,"sharing":false}`,
      `{"v":${PROTOCOL_VERSION},"type":"member-state","muted":true,"cameraOff":false,"sharing":false,"userId":"mallory"}`,
    ];
    for (const raw of bad) expect(parsePeerMessage(raw)).toBeNull();
  });
});
