import { describe, expect, it } from 'vitest';
import { callKeysSchema } from '../ipc';
import { decodeCallKey, encodeCallKeys, inviteAkeFromWire, inviteAkeToWire, newCallId, revealAkeFromWire, revealAkeToWire, toWireSignal } from './call-codec';
import { inviteAkeSchema, revealAkeSchema, signalDataSchema } from './call';
import { callIdSchema } from './fields';

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe('call codec', () => {
  it('mints call ids in the contract format, a new one each time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newCallId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(callIdSchema.safeParse(id).success).toBe(true);
  });

  it('carries the call keys across IPC and back to bytes, zeroing nothing the caller still holds', () => {
    const sendKey = bytes(32, 7);
    const wire = encodeCallKeys({ sendKey, receiveKey: bytes(32, 9), initiator: false });
    expect(callKeysSchema.parse(wire)).toEqual(wire);
    expect(Object.keys(wire).sort()).toEqual(['initiator', 'receiveKey', 'sendKey']);
    expect(decodeCallKey(wire.sendKey)).toEqual(sendKey);
    expect(decodeCallKey(wire.receiveKey)).toEqual(bytes(32, 9));
    expect(sendKey).toEqual(bytes(32, 7));
  });

  it('round-trips the handshake fields through their wire form', () => {
    const invite = { commitment: bytes(32, 1), signature: bytes(64, 2) };
    expect(inviteAkeSchema.parse(inviteAkeToWire(invite))).toBeTruthy();
    expect(inviteAkeFromWire(inviteAkeToWire(invite))).toEqual(invite);
    const reveal = { ephemeralKey: bytes(32, 3), fingerprint: 'sha-256 AA:BB', signature: bytes(64, 4) };
    expect(revealAkeSchema.parse(revealAkeToWire(reveal))).toBeTruthy();
    expect(revealAkeFromWire(revealAkeToWire(reveal))).toEqual(reveal);
  });

  it("keeps exactly the protocol's fields of what simple-peer emits, and drops what the protocol does not carry", () => {
    expect(toWireSignal({ type: 'offer', sdp: 'v=0', extra: 1 })).toEqual({ type: 'offer', sdp: 'v=0' });
    expect(toWireSignal({ type: 'candidate', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } })).toEqual({
      type: 'candidate',
      candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0 },
    });
    expect(toWireSignal({ type: 'renegotiate', renegotiate: true })).toEqual({ renegotiate: true });
    expect(toWireSignal({ type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { direction: 'sendrecv' } } })).toEqual({ transceiverRequest: { kind: 'video' } });
    for (const junk of [null, 'offer', { type: 'exploit', sdp: 'x' }, { type: 'offer' }, { transceiverRequest: { kind: 'data' } }]) expect(toWireSignal(junk)).toBeUndefined();
    for (const data of [toWireSignal({ type: 'answer', sdp: 'v=0' }), toWireSignal({ renegotiate: true })]) expect(signalDataSchema.safeParse(data).success).toBe(true);
  });
});
