import { describe, expect, it } from 'vitest';
import type { SignalData } from '../../../shared/protocol';
import { sdpKeepsCertificate, signalKeepsCertificate } from './signal-fingerprint';

const hex = (byte: string) => Array.from({ length: 32 }, () => byte).join(':');
const SIGNED = `sha-256 ${hex('AB')}`;
const OTHER = `sha-256 ${hex('CD')}`;

/** An SDP with `session` lines before the first m-section, and `media[i]` lines in section i. */
function sdp(session: string[], ...media: string[][]): string {
  const sections = media.map((lines, index) => [`m=${index === 0 ? 'audio' : 'video'} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${index}`, ...lines]);
  return ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', ...session, ...sections.flat(), ''].join('\r\n');
}

const fp = (value: string) => `a=fingerprint:${value}`;

describe('an SDP keeps the signed certificate', () => {
  it('when it names it at session level, at media level, or both, as many times as it likes', () => {
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [], []), SIGNED)).toBe(true);
    expect(sdpKeepsCertificate(sdp([], [fp(SIGNED)], [fp(SIGNED)]), SIGNED)).toBe(true);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp(SIGNED.toLowerCase())], [fp(SIGNED)]), SIGNED)).toBe(true);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [], []).replaceAll('\r\n', '\n'), SIGNED)).toBe(true);
  });

  it('not when any line, at any level, names another certificate', () => {
    expect(sdpKeepsCertificate(sdp([fp(OTHER)], [], []), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp(SIGNED)], [fp(OTHER)]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp(OTHER)]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([], [fp(SIGNED), fp(OTHER)]), SIGNED)).toBe(false);
  });

  it('not when it names none', () => {
    expect(sdpKeepsCertificate(sdp([], [], []), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate('', SIGNED)).toBe(false);
  });

  it('not when a fingerprint line is malformed, another hash, or spelt oddly with another value', () => {
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp('sha-256 AB:AB')]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp(`sha-1 ${hex('AB').slice(0, 59)}`)]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [`a=FINGERPRINT:${OTHER}`]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [`a=fingerprint: ${OTHER}`]), SIGNED)).toBe(false);
    expect(sdpKeepsCertificate(sdp([fp(SIGNED)], [fp(`${SIGNED} trailing`)]), SIGNED)).toBe(false);
  });
});

describe('a signal keeps the signed certificate', () => {
  it('when it carries an SDP, only if that SDP does: offers, answers, pranswers and rollbacks alike', () => {
    for (const type of ['offer', 'answer', 'pranswer', 'rollback'] as const) {
      expect(signalKeepsCertificate({ type, sdp: sdp([fp(SIGNED)], []) }, SIGNED), type).toBe(true);
      expect(signalKeepsCertificate({ type, sdp: sdp([fp(OTHER)], []) }, SIGNED), type).toBe(false);
      expect(signalKeepsCertificate({ type, sdp: '' }, SIGNED), type).toBe(false);
    }
  });

  it('always, when it carries no SDP: candidates and renegotiation requests', () => {
    const others: SignalData[] = [
      { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
      { renegotiate: true },
      { transceiverRequest: { kind: 'video' } },
    ];
    for (const data of others) expect(signalKeepsCertificate(data, SIGNED)).toBe(true);
  });
});
