import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { cutDelivery, parseDirectoryEvent, parseInstanceEvent } from './cluster-events';

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

  it('cuts the message text out of a delivery laid out as the scripts write it, and leaves any other layout to the whole check', () => {
    const text = JSON.stringify(ended);
    expect(cutDelivery(`{"k":"message","u":"bob","m":${text}}`)).toEqual({ u: 'bob', text });
    expect(cutDelivery(JSON.stringify({ k: 'message', u: 'bob.smith@example.com', m: ended }))).toEqual({ u: 'bob.smith@example.com', text });
    for (const other of [
      JSON.stringify({ k: 'replace', u: 'bob', t: 'abc:1', e: false }),
      JSON.stringify({ u: 'bob', k: 'message', m: ended }),
      JSON.stringify({ k: 'message', u: 'bob', m: ended }, null, 1),
      JSON.stringify({ k: 'message', u: 'Bob', m: ended }),
      JSON.stringify({ k: 'message', u: '', m: ended }),
      JSON.stringify({ k: 'message', u: 'bob', m: 'text' }),
      JSON.stringify({ k: 'message', u: 'bob', m: [ended] }),
      JSON.stringify({ k: 'message', u: 'bob', m: { type: 'call.ended' } }),
      `{"k":"message","u":"bob","m":${text}`,
      `{"k":"message","u":"bob"}`,
    ]) {
      expect(cutDelivery(other), other).toBeUndefined();
    }
  });
});
