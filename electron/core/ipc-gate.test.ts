import { describe, expect, it, vi } from 'vitest';
import { invokeChannels, MAX_REQUEST_BYTES, type InvokeChannel, type IpcResult } from '../../shared/ipc';
import type { HandlerTable } from './handlers/handler';
import { createHost } from './host';

/*
 * Table-driven over every channel in the contract: what a compromised or buggy renderer could
 * send is refused with a clear error before any handler runs.
 */

const channels = Object.keys(invokeChannels) as InvokeChannel[];

function gatedHost() {
  const spies = Object.fromEntries(channels.map((channel) => [channel, vi.fn()])) as unknown as Partial<HandlerTable>;
  const host = createHost({ kind: 'harness', version: '0.0.0-test', dataDir: '/nonexistent/never-touched' }, { handlers: spies });
  const calls = () => Object.values(spies).reduce((sum, spy) => sum + (spy as ReturnType<typeof vi.fn>).mock.calls.length, 0);
  return { host, calls };
}

function refusal(result: IpcResult): { code: string; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const acceptsEmptyObject = (channel: InvokeChannel) => invokeChannels[channel].request.safeParse({}).success;

describe.each(channels)('IPC channel %s', (channel) => {
  it('refuses an unknown channel next to it', async () => {
    const { host, calls } = gatedHost();
    const error = refusal(await host.invoke(`${channel}.x`, undefined));
    expect(error.code).toBe('unknown-channel');
    expect(calls()).toBe(0);
  });

  it('refuses a payload of the wrong type', async () => {
    const { host, calls } = gatedHost();
    for (const payload of [42, 'text', [1, 2], true]) {
      const error = refusal(await host.invoke(channel, payload));
      expect(error.code).toBe('bad-request');
      expect(error.message).toContain(channel);
    }
    expect(calls()).toBe(0);
  });

  it.skipIf(acceptsEmptyObject(channel) || invokeChannels[channel].request.safeParse(undefined).success)('refuses a payload missing its fields, naming one', async () => {
    const { host, calls } = gatedHost();
    const error = refusal(await host.invoke(channel, {}));
    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(/: \w+/);
    expect(calls()).toBe(0);
  });

  it('refuses an oversized payload before parsing it', async () => {
    const { host, calls } = gatedHost();
    const error = refusal(await host.invoke(channel, { filler: 'x'.repeat(MAX_REQUEST_BYTES + 1) }));
    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(/too large/);
    expect(calls()).toBe(0);
  });

  it('refuses data that is not plain (a cycle)', async () => {
    const { host, calls } = gatedHost();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(refusal(await host.invoke(channel, cyclic)).code).toBe('bad-request');
    expect(calls()).toBe(0);
  });
});
