import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b64, callId, clientExamples, reveal, serverExamples, v } from './examples.fixture';
import {
  ProtocolError,
  callMessageTypes,
  clientMessageTypes,
  parseClientMessage,
  parseServerMessage,
  relayedFrom,
  type OutgoingCallMessage,
  type ProtocolErrorCode,
} from './index';

function codeOf(fn: () => unknown): ProtocolErrorCode | 'no error' | 'other error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'other error';
  }
}

describe('protocol messages', () => {
  it('has an example for every client message type, and each parses from JSON text', () => {
    expect(Object.keys(clientExamples).sort()).toEqual([...clientMessageTypes].sort());
    for (const example of Object.values(clientExamples)) {
      expect(parseClientMessage(JSON.stringify(example))).toEqual(example);
    }
  });

  it('parses every server message type', () => {
    for (const example of Object.values(serverExamples)) {
      expect(parseServerMessage(example)).toEqual(example);
    }
  });

  it('relays every call message with the sender stamped and the target and request id dropped', () => {
    for (const type of callMessageTypes) {
      const sent = parseClientMessage({ ...clientExamples[type], id: 'req-1' }) as Exclude<OutgoingCallMessage, { type: 'call.resume' }>;
      const relayed = relayedFrom(sent, 'alice');
      expect(parseServerMessage(relayed)).toEqual(relayed);
      expect(relayed).toMatchObject({ type, from: 'alice', callId });
      expect(relayed).not.toHaveProperty('to');
      expect(relayed).not.toHaveProperty('id');
    }
  });

  it('keeps client and server directions apart', () => {
    expect(codeOf(() => parseClientMessage(serverExamples.hello))).toBe('bad-message');
    expect(codeOf(() => parseServerMessage(clientExamples.auth))).toBe('bad-message');
    // A client may not send a call message "from" someone.
    expect(codeOf(() => parseClientMessage({ ...serverExamples['call.invite'] }))).toBe('bad-message');
  });

  const bad: [string, unknown, ProtocolErrorCode][] = [
    ['not JSON', '{"v":1,', 'bad-message'],
    ['an array', '[1,2]', 'bad-message'],
    ['null', null, 'bad-message'],
    ['no version', { type: 'auth', userId: 'a', signature: b64(64) }, 'unsupported-version'],
    ['a future version', { ...clientExamples.auth, v: v + 1 }, 'unsupported-version'],
    ['the previous version', { ...clientExamples.auth, v: v - 1 }, 'unsupported-version'],
    ['an unknown type', { v, type: 'shutdown' }, 'bad-message'],
    ['an extra field', { ...clientExamples.auth, admin: true }, 'bad-message'],
    ['a short signature', { ...clientExamples.auth, signature: b64(63) }, 'bad-message'],
    ['padded base64', { ...clientExamples.auth, signature: `${b64(64)}==` }, 'bad-message'],
    ['an upper-case user id', { ...clientExamples.auth, userId: 'Alice' }, 'bad-message'],
    ['a too-short call id', { ...clientExamples['call.cancel'], callId: 'abc' }, 'bad-message'],
    ['a bad fingerprint', { ...clientExamples['call.confirm'], ake: { ...reveal, fingerprint: 'md5 00' } }, 'bad-message'],
    ['an oversized SDP', { ...clientExamples['call.signal'], data: { type: 'offer', sdp: 'x'.repeat(50_000) } }, 'bad-message'],
    ['an unknown signal', { ...clientExamples['call.signal'], data: { type: 'exploit' } }, 'bad-message'],
    ['a control character in a device name', { ...clientExamples.enroll, deviceName: 'a\u0000b' }, 'bad-message'],
    ['a wrong-length identity key', { ...clientExamples.enroll, identityKey: b64(32) }, 'bad-message'],
  ];
  for (const [what, input, code] of bad) {
    it(`rejects ${what} with '${code}'`, () => {
      expect(codeOf(() => parseClientMessage(input))).toBe(code);
    });
  }

  it('carries the server-side refusals that end a connection as error codes', () => {
    for (const code of ['server-busy', 'shutting-down', 'session-replaced'] as const) {
      expect(parseServerMessage({ v, type: 'error', code, message: 'bye' })).toMatchObject({ code });
    }
    expect(codeOf(() => parseServerMessage({ v, type: 'error', code: 'no-such-code', message: 'x' }))).toBe('bad-message');
  });

  it('names the failing field in the error', () => {
    expect(() => parseClientMessage({ ...clientExamples.auth, userId: 'Alice' })).toThrow(/userId/);
  });

  it('names a failing field even when several are wrong or missing', () => {
    expect(() => parseClientMessage({ v, type: 'auth', userId: 'Alice' })).toThrow(/bad auth message: (userId|signature): /);
    expect(() => parseClientMessage({ ...clientExamples['call.invite'], media: { audio: 'yes', video: true } })).toThrow(/media\.audio/);
  });

  it('never throws anything but a ProtocolError, whatever it is fed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.record({ v: fc.constant(v), type: fc.constantFrom(...clientMessageTypes) }, { requiredKeys: [] })), (input) => {
        const outcome = codeOf(() => parseClientMessage(input));
        expect(outcome).not.toBe('other error');
        expect(codeOf(() => parseServerMessage(input))).not.toBe('other error');
      }),
      { numRuns: 2000 },
    );
  });
});
