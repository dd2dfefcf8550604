import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { parseDirectoryEvent, parseInstanceEvent } from './cluster-events';

const ended = { v: PROTOCOL_VERSION, type: 'call.ended', callId: 'CCCCCCCCCCCCCCCCCCCCCC', reason: 'timeout' };

describe('what instances tell each other', () => {
  it('reads a delivery and a replacement whole', () => {
    expect(parseInstanceEvent(JSON.stringify({ k: 'message', u: 'bob', m: ended }))).toEqual({ k: 'message', u: 'bob', m: ended });
    expect(parseInstanceEvent(JSON.stringify({ k: 'replace', u: 'bob', t: 'abc:1', e: false }))).toEqual({ k: 'replace', u: 'bob', t: 'abc:1', e: false });
  });

  it('drops anything malformed instead of acting on part of it', () => {
    for (const text of [
      'not json',
      'null',
      JSON.stringify({ k: 'message', u: 'bob' }),
      JSON.stringify({ k: 'message', u: 'bob', m: { ...ended, type: 'call.nonsense' } }),
      JSON.stringify({ k: 'message', u: 'bob', m: ended, extra: 1 }),
      JSON.stringify({ k: 'replace', u: '', t: 'abc:1', e: false }),
      JSON.stringify({ k: 'replace', u: 'bob', t: 'abc:1', e: 'yes' }),
      JSON.stringify({ k: 'other', u: 'bob' }),
    ]) {
      expect(parseInstanceEvent(text), text).toBeUndefined();
    }
    expect(parseDirectoryEvent(JSON.stringify({ from: 'i' }))).toEqual({ from: 'i' });
    expect(parseDirectoryEvent(JSON.stringify({ from: 'i', id: 'bob' }))).toBeUndefined();
    expect(parseDirectoryEvent('{')).toBeUndefined();
  });
});
