import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CONTRACT_VERSION, type IpcResult } from '../../shared/ipc';
import type { HandlerTable } from './handlers/handler';
import { defaultHandlers } from './handlers/index';
import { toContractPlatform } from './handlers/platform';
import { createHost, type Host, type HostPorts } from './host';

let dataDir: string;
let ports: HostPorts;
const hosts: Host[] = [];

function host(options?: Parameters<typeof createHost>[1]): Host {
  const created = createHost(ports, options);
  hosts.push(created);
  return created;
}

function errorCode(result: IpcResult): string | undefined {
  return result.ok ? undefined : result.error.code;
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-host-test-'));
  ports = { kind: 'harness', version: '9.8.7', dataDir };
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('createHost', () => {
  it('answers app.info from its ports', async () => {
    const result = await host().invoke('app.info', undefined);
    expect(result).toEqual({
      ok: true,
      value: {
        version: '9.8.7',
        contractVersion: IPC_CONTRACT_VERSION,
        platform: toContractPlatform(process.platform),
        host: 'harness',
      },
    });
  });

  it('reports the electron kind when the shell hosts it', async () => {
    ports = { ...ports, kind: 'electron' };
    const result = await host().invoke('app.info', undefined);
    expect(result.ok && result.value).toMatchObject({ host: 'electron' });
  });

  it.each([['no.such.channel'], [42], [null], [undefined], ['__proto__'], ['toString']])(
    'refuses the channel %j as unknown',
    async (channel) => {
      const result = await host().invoke(channel, undefined);
      expect(errorCode(result)).toBe('unknown-channel');
    },
  );

  it.each([[{}], [null], ['x'], [0]])('refuses the payload %j on app.info before the handler runs', async (payload) => {
    const appInfo = vi.fn(defaultHandlers['app.info']);
    const result = await host({ handlers: { 'app.info': appInfo } }).invoke('app.info', payload);
    expect(errorCode(result)).toBe('bad-request');
    expect(appInfo).not.toHaveBeenCalled();
  });

  it('turns an unexpected handler error into internal without leaking its message', async () => {
    const onUnexpectedError = vi.fn();
    const handlers: Partial<HandlerTable> = {
      'app.info': () => {
        throw new Error('secret detail: /home/alice/.key');
      },
    };
    const result = await host({ handlers, onUnexpectedError }).invoke('app.info', undefined);
    expect(errorCode(result)).toBe('internal');
    expect(JSON.stringify(result)).not.toContain('secret detail');
    expect(onUnexpectedError).toHaveBeenCalledOnce();
  });

  it('refuses a handler response the contract does not allow', async () => {
    const handlers = {
      'app.info': () => ({ version: 1 }),
    } as unknown as Partial<HandlerTable>;
    const result = await host({ handlers }).invoke('app.info', undefined);
    expect(errorCode(result)).toBe('bad-response');
  });

  it('delivers events a handler emits to subscribers until they unsubscribe', async () => {
    const handlers: Partial<HandlerTable> = {
      'app.info': (request, context) => {
        context.emit('app.ready', { at: 5 });
        return defaultHandlers['app.info'](request, context);
      },
    };
    const h = host({ handlers });
    const seen: number[] = [];
    const off = h.on('app.ready', ({ at }) => seen.push(at));
    await h.invoke('app.info', undefined);
    off();
    await h.invoke('app.info', undefined);
    expect(seen).toEqual([5]);
  });

  it('stops answering and drops subscribers once closed', async () => {
    const handlers: Partial<HandlerTable> = {
      'app.info': (request, context) => {
        context.emit('app.ready', { at: 1 });
        return defaultHandlers['app.info'](request, context);
      },
    };
    const h = host({ handlers });
    const listener = vi.fn();
    h.on('app.ready', listener);
    await h.close();
    await h.close();
    expect(errorCode(await h.invoke('app.info', undefined))).toBe('internal');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('toContractPlatform', () => {
  it.each([
    ['linux', 'linux'],
    ['darwin', 'darwin'],
    ['win32', 'win32'],
    ['freebsd', 'other'],
    ['aix', 'other'],
  ] as const)('maps %s to %s', (platform, expected) => {
    expect(toContractPlatform(platform)).toBe(expected);
  });
});
