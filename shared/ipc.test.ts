import { describe, expect, it } from 'vitest';
import {
  IPC_CONTRACT_VERSION,
  MAX_WATCHED_CONTACTS,
  IpcError,
  createBridge,
  createEventFanout,
  ipcErrorCode,
  parseRequest,
  toErrorResult,
  toPortableBridge,
  type IpcTransport,
} from './ipc';

const info = { version: '0.1.0', contractVersion: IPC_CONTRACT_VERSION, platform: 'linux', host: 'harness' };

/** A transport that answers like a host would, and records what crossed it. */
function fakeHost(answer: (channel: string, payload: unknown) => unknown) {
  const sent: [string, unknown][] = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const transport: IpcTransport = {
    invoke: (channel, payload) => {
      sent.push([channel, payload]);
      return Promise.resolve(answer(channel, payload));
    },
    subscribe: (event, listener) => {
      listeners.set(event, listener);
      return () => listeners.delete(event);
    },
  };
  return { transport, sent, emit: (event: string, payload: unknown) => listeners.get(event)?.(payload) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof IpcError ? error.code : 'other error'),
  );
}

describe('IPC contract', () => {
  it('refuses an unknown channel and a bad payload on the host side', () => {
    expect(() => parseRequest('fs.readFile', undefined)).toThrow(IpcError);
    expect(() => parseRequest('fs.readFile', undefined)).toThrow(/unknown IPC channel/);
    expect(() => { parseRequest('app.info', { sneaky: true }); }).toThrow(/bad request on app.info/);
    expect(() => parseRequest('__proto__', undefined)).toThrow(/unknown IPC channel/);
  });

  it('marking verified must name the 60 digits compared; unmarking names none; an accept confirm is a boolean', () => {
    const digits = '0'.repeat(60);
    expect(parseRequest('contacts.setVerified', { userId: 'bob', verified: true, digits })).toEqual({ userId: 'bob', verified: true, digits });
    expect(parseRequest('contacts.setVerified', { userId: 'bob', verified: false })).toEqual({ userId: 'bob', verified: false });
    for (const bad of [
      { userId: 'bob', verified: true },
      { userId: 'bob', verified: true, digits: '0'.repeat(59) },
      { userId: 'bob', verified: true, digits: `${'0'.repeat(59)}x` },
      { userId: 'bob', verified: false, digits },
      { userId: 'bob', verified: 'yes', digits },
    ]) {
      expect(() => parseRequest('contacts.setVerified', bad), JSON.stringify(bad)).toThrow(/bad request on contacts.setVerified/);
    }
    const accept = { callId: 'c4ll1d-0123456789abcdefghij', media: { audio: true, video: false }, fingerprint: 'sha-256 00' };
    expect(parseRequest('call.accept', { ...accept, confirmKeyChange: true })).toMatchObject({ confirmKeyChange: true });
    expect(() => parseRequest('call.accept', { ...accept, confirmKeyChange: 'true' })).toThrow(/confirmKeyChange/);
  });

  it('contacts.watch takes at most MAX_WATCHED_CONTACTS user ids, each a user id, and nothing else', async () => {
    const ids = Array.from({ length: MAX_WATCHED_CONTACTS }, (_, index) => `user-${index}`);
    expect(parseRequest('contacts.watch', { userIds: ids })).toEqual({ userIds: ids });
    expect(parseRequest('contacts.watch', { userIds: [] })).toEqual({ userIds: [] });
    for (const bad of [
      { userIds: [...ids, 'one-too-many'] },
      { userIds: ['bob', ''] },
      { userIds: ['bob', 'x'.repeat(200)] },
      { userIds: ['bob', 42] },
      { userIds: 'bob' },
      { userIds: ['bob'], all: true },
      {},
    ]) {
      expect(() => parseRequest('contacts.watch', bad), JSON.stringify(bad).slice(0, 80)).toThrow(/bad request on contacts.watch/);
    }
    // The renderer's bridge refuses it before it leaves, as the host does when it arrives.
    const host = fakeHost(() => ({ ok: true, value: null }));
    await expect(createBridge(host.transport).invoke('contacts.watch', { userIds: [...ids, 'one-too-many'] })).rejects.toMatchObject({ code: 'bad-request' });
    expect(host.sent).toEqual([]);
    await expect(createBridge(host.transport).invoke('contacts.watch', { userIds: ['bob'] })).resolves.toBeNull();
  });

  it('round-trips a valid call through the bridge', async () => {
    const host = fakeHost(() => ({ ok: true, value: info }));
    const bridge = createBridge(host.transport);
    await expect(bridge.invoke('app.info')).resolves.toEqual(info);
    expect(host.sent).toEqual([['app.info', undefined]]);
  });

  it('turns a host error into an IpcError with its code', async () => {
    const bridge = createBridge(fakeHost(() => ({ ok: false, error: { code: 'not-enrolled', message: 'enroll first' } })).transport);
    expect(await codeOf(bridge.invoke('app.info'))).toBe('not-enrolled');
  });

  it('rejects a response the contract does not allow, and a malformed result', async () => {
    const wrongShape = createBridge(fakeHost(() => ({ ok: true, value: { ...info, platform: 'beos' } })).transport);
    expect(await codeOf(wrongShape.invoke('app.info'))).toBe('bad-response');
    const notAResult = createBridge(fakeHost(() => 'hello').transport);
    expect(await codeOf(notAResult.invoke('app.info'))).toBe('bad-response');
  });

  it('does not send a bad request at all', async () => {
    const host = fakeHost(() => ({ ok: true, value: info }));
    const bridge = createBridge(host.transport);
    // Deliberately off-contract, as a compromised or buggy renderer might call it.
    const loose = bridge as unknown as { invoke(channel: string, payload?: unknown): Promise<unknown> };
    expect(await codeOf(loose.invoke('app.info', { x: 1 }))).toBe('bad-request');
    expect(await codeOf(loose.invoke('nope'))).toBe('unknown-channel');
    expect(host.sent).toEqual([]);
  });

  it('delivers contract events and drops payloads the contract does not allow', () => {
    const host = fakeHost(() => undefined);
    const bridge = createBridge(host.transport);
    const got: unknown[] = [];
    const off = bridge.on('app.ready', (payload) => got.push(payload));
    host.emit('app.ready', { at: 5 });
    host.emit('app.ready', { at: -1 });
    host.emit('app.ready', 'junk');
    off();
    host.emit('app.ready', { at: 6 });
    expect(got).toEqual([{ at: 5 }]);
  });

  it('call.start names a well-formed call id; call.event carries exactly one of a view, keys or a signal, numbered from 1', () => {
    const start = { userId: 'bob', media: { audio: true, video: false }, fingerprint: 'sha-256 AA', confirmKeyChange: false };
    expect(parseRequest('call.start', { ...start, callId: 'A'.repeat(22) })).toMatchObject({ callId: 'A'.repeat(22) });
    expect(() => parseRequest('call.start', start)).toThrow(/callId/);
    expect(() => parseRequest('call.start', { ...start, callId: 'short' })).toThrow(/callId/);
    expect(() => parseRequest('call.start', { ...start, callId: `${'A'.repeat(21)}/` })).toThrow(/callId/);
    expect(() => parseRequest('call.start', { ...start, callId: 'A'.repeat(65) })).toThrow(/callId/);

    const host = fakeHost(() => undefined);
    const got: unknown[] = [];
    createBridge(host.transport).on('call.event', (event) => got.push(event));
    const callId = 'A'.repeat(22);
    const keys = { sendKey: 'A'.repeat(43), receiveKey: 'A'.repeat(43), initiator: true };
    const signal = { callId, seq: 2, kind: 'signal', data: { renegotiate: true } };
    host.emit('call.event', { callId, seq: 1, kind: 'keys', keys });
    host.emit('call.event', signal);
    // Off the contract, each dropped: no seq, seq 0, a fractional seq, an unknown kind, a kind without
    // its body or with another's, keys with an extra field (the short code goes in the view), a bad id.
    host.emit('call.event', { callId, kind: 'signal', data: { renegotiate: true } });
    host.emit('call.event', { ...signal, seq: 0 });
    host.emit('call.event', { ...signal, seq: 2.5 });
    host.emit('call.event', { ...signal, kind: 'secret' });
    host.emit('call.event', { callId, seq: 3, kind: 'keys' });
    host.emit('call.event', { callId, seq: 3, kind: 'keys', data: { renegotiate: true } });
    host.emit('call.event', { callId, seq: 3, kind: 'keys', keys: { ...keys, shortCode: '123456789012' } });
    host.emit('call.event', { ...signal, callId: 'short' });
    host.emit('call.event', { ...signal, extra: 1 });
    expect(got).toEqual([{ callId, seq: 1, kind: 'keys', keys }, signal]);
  });

  it('never leaks the message of an unexpected error', () => {
    expect(toErrorResult(new Error('secret path /home/alice/.key'))).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error in the main process' },
    });
    expect(toErrorResult(new IpcError('bad-request', 'clear reason'))).toEqual({ ok: false, error: { code: 'bad-request', message: 'clear reason' } });
  });

  it('exposes failures to the page as plain objects that keep their code', async () => {
    const bridge = toPortableBridge(createBridge(fakeHost(() => ({ ok: false, error: { code: 'not-enrolled', message: 'enroll first' } })).transport));
    const failure: unknown = await bridge.invoke('app.info').catch((error: unknown) => error);
    expect(failure).toEqual({ name: 'IpcError', code: 'not-enrolled', message: 'enroll first' });
    expect(Object.getPrototypeOf(failure)).toBe(Object.prototype);
    expect(ipcErrorCode(failure)).toBe('not-enrolled');
    expect(ipcErrorCode(new Error('x'))).toBeUndefined();
    expect(ipcErrorCode({ code: 'made-up' })).toBeUndefined();
  });

  it('fans events out to each subscription, and unsubscribes each once', () => {
    const fanout = createEventFanout();
    const got: unknown[] = [];
    const listener = (payload: unknown) => got.push(payload);
    const offFirst = fanout.subscribe('app.ready', listener);
    fanout.subscribe('app.ready', listener);
    fanout.dispatch('app.ready', 1);
    offFirst();
    fanout.dispatch('app.ready', 2);
    fanout.dispatch('other', 3);
    expect(got).toEqual([1, 1, 2]);
  });
});
