import { describe, expect, it } from 'vitest';
import { createBridge, eventChannels, invokeChannels, resultSchemaOf, type InvokeChannel, type IpcTransport } from './ipc';
import { schemaDepth } from './schema-bounds.fixture';

/*
 * The IPC contract is as closed as the wire protocol: every request, every response (inside its
 * result envelope) and every event has fixed keys, bounded sizes and bounded nesting. A renderer
 * and a main process that trust each other's parsers still must not pass anything of any shape.
 */

/** Deeper than any value in the contract needs; the sweep shows how deep each one really is. */
const MAX_IPC_DEPTH = 8;

describe('the IPC contract is closed and bounded', () => {
  it('every request, result and event schema has only strict objects, bounded arrays and strings, at most MAX_IPC_DEPTH deep', () => {
    const depths: number[] = [];
    for (const channel of Object.keys(invokeChannels) as InvokeChannel[]) {
      depths.push(schemaDepth(invokeChannels[channel].request, `${channel} request`));
      depths.push(schemaDepth(resultSchemaOf(channel), `${channel} result`));
    }
    for (const [event, schema] of Object.entries(eventChannels)) depths.push(schemaDepth(schema, `${event} event`));
    expect(Math.max(...depths)).toBeLessThanOrEqual(MAX_IPC_DEPTH);
  });

  it('the bridge refuses a result with an extra key or a value nested deep inside it', async () => {
    const info = { version: '0.1.0', contractVersion: 1, platform: 'linux', host: 'harness' };
    const answering = (result: unknown): IpcTransport => ({ invoke: () => Promise.resolve(result), subscribe: () => () => undefined });
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown;
    for (const result of [
      { ok: true, value: info, extra: deep },
      { ok: true, value: { ...info, extra: deep } },
      { ok: false, error: { code: 'internal', message: 'x', extra: deep } },
    ]) {
      await expect(createBridge(answering(result)).invoke('app.info')).rejects.toMatchObject({ code: 'bad-response' });
    }
    // The twin: the same envelope, closed, is accepted.
    await expect(createBridge(answering({ ok: true, value: info })).invoke('app.info')).resolves.toEqual(info);
  });
});
