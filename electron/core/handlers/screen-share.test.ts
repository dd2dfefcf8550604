import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IpcResult } from '../../../shared/ipc';
import { createHost } from '../host';
import type { HostPorts } from '../ports';
import { SHARE_PICK_TIMEOUT_MS, type CaptureSource } from '../shell-policy/display-media';

/*
 * screen.sources and screen.choose through the real host and its IPC gate, and the shell's side
 * (takeScreenShare) the way the display-media handler uses it.
 */

const listed: CaptureSource[] = [
  { id: 'window:42:0', name: 'Quarterly report', kind: 'window', thumbnail: null },
  { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: 'data:image/png;base64,iVBORw0KGgo=' },
];

function hostWith(captureSources?: HostPorts['captureSources']) {
  return createHost({ kind: 'harness', version: '0.0.0-test', dataDir: '/nonexistent/never-touched', ...(captureSources && { captureSources }) });
}

function value(result: IpcResult): unknown {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refusal(result: IpcResult): { code: string; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('screen.sources and screen.choose', () => {
  it('lists screens first, and grants the picked one to the next capture only', async () => {
    const host = hostWith(() => Promise.resolve(listed));
    expect(value(await host.invoke('screen.sources', undefined))).toEqual([listed[1], listed[0]]);
    expect(value(await host.invoke('screen.choose', { sourceId: 'window:42:0' }))).toBeNull();
    expect(host.takeScreenShare()).toEqual({ ok: true, source: listed[0] });
    expect(host.takeScreenShare()).toEqual({ ok: false, reason: 'no screen or window was picked in Sealcall' });
  });

  it('refuses a source that was not offered, and a pick before any list', async () => {
    const host = hostWith(() => Promise.resolve(listed));
    const early = refusal(await host.invoke('screen.choose', { sourceId: 'screen:0:0' }));
    expect(early.code).toBe('share-refused');
    expect(early.message).toMatch(/list them \(screen\.sources\) before choosing/);
    await host.invoke('screen.sources', undefined);
    expect(refusal(await host.invoke('screen.choose', { sourceId: 'screen:7:0' })).message).toBe('the chosen screen or window was not one of those offered');
    expect(host.takeScreenShare().ok).toBe(false);
  });

  it('refuses a second pick from one list (reuse)', async () => {
    const host = hostWith(() => Promise.resolve(listed));
    await host.invoke('screen.sources', undefined);
    value(await host.invoke('screen.choose', { sourceId: 'screen:0:0' }));
    expect(refusal(await host.invoke('screen.choose', { sourceId: 'screen:0:0' })).code).toBe('share-refused');
  });

  it('refuses a pick from a stale list, and lets an unused pick expire', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const host = hostWith(() => Promise.resolve(listed));
    await host.invoke('screen.sources', undefined);
    vi.setSystemTime(Date.now() + SHARE_PICK_TIMEOUT_MS + 1);
    expect(refusal(await host.invoke('screen.choose', { sourceId: 'screen:0:0' })).message).toMatch(/out of date/);

    await host.invoke('screen.sources', undefined);
    value(await host.invoke('screen.choose', { sourceId: 'screen:0:0' }));
    vi.setSystemTime(Date.now() + SHARE_PICK_TIMEOUT_MS + 1);
    expect(host.takeScreenShare()).toEqual({ ok: false, reason: 'the pick timed out before the capture started' });
  });

  it('says clearly when the host cannot list sources, or the OS refuses', async () => {
    const none = refusal(await hostWith().invoke('screen.sources', undefined));
    expect(none).toEqual({ code: 'share-unavailable', message: 'screen sharing is not available in this version of Sealcall' });
    const denied = refusal(await hostWith(() => Promise.reject(new Error('kCGErrorNotPermitted at 0x7ff…'))).invoke('screen.sources', undefined));
    expect(denied.code).toBe('share-unavailable');
    expect(denied.message).not.toMatch(/kCG/);
  });

  it('refuses a source id that is not a screen or window id at the gate', async () => {
    const host = hostWith(() => Promise.resolve(listed));
    for (const sourceId of ['web-contents-media-stream://1:2', 'screen:', '', `window:${'1'.repeat(200)}`]) {
      const error = refusal(await host.invoke('screen.choose', { sourceId }));
      expect(error.code).toBe('bad-request');
      expect(error.message).toMatch(/screen\.choose: sourceId/);
    }
  });
});
