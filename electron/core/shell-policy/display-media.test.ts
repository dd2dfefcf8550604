import { describe, expect, it } from 'vitest';
import { IpcError } from '../../../shared/ipc';
import { captureSourceKind, displayMediaDecision, ScreenShareBroker, SHARE_PICK_TIMEOUT_MS, type CaptureSource } from './display-media';

const renderer = 'file:///opt/Sealcall/resources/app.asar/out/renderer/index.html';
const ask = { frameUrl: renderer, isOurMainFrame: true, videoRequested: true, userGesture: true };
const sources: CaptureSource[] = [
  { id: 'screen:0:0', name: 'Entire Screen', kind: 'screen', thumbnail: null },
  { id: 'window:1234:0', name: 'Quarterly report', kind: 'window', thumbnail: 'data:image/png;base64,iVBORw0KGgo=' },
];

describe('displayMediaDecision', () => {
  it("sends our main frame's click-started request to the picker", () => {
    expect(displayMediaDecision(ask, renderer)).toEqual({ allow: true });
  });

  it('refuses other frames, gone frames, audio-only and script-started requests', () => {
    expect(displayMediaDecision({ ...ask, isOurMainFrame: false }, renderer).allow).toBe(false);
    expect(displayMediaDecision({ ...ask, frameUrl: null }, renderer).allow).toBe(false);
    expect(displayMediaDecision({ ...ask, frameUrl: 'https://evil.example/' }, renderer).allow).toBe(false);
    expect(displayMediaDecision({ ...ask, videoRequested: false }, renderer).allow).toBe(false);
    expect(displayMediaDecision({ ...ask, userGesture: false }, renderer)).toEqual({ allow: false, reason: 'a screen share must start from a click' });
  });
});

describe('ScreenShareBroker', () => {
  it('grants a pick among the offered sources, once', () => {
    const broker = new ScreenShareBroker();
    broker.offerSources(sources, 1000);
    expect(broker.arm('window:1234:0', 2000)).toEqual(sources[1]);
    expect(broker.take(3000)).toEqual({ ok: true, source: sources[1] });
    expect(broker.take(3000)).toEqual({ ok: false, reason: 'no screen or window was picked in Sealcall' });
  });

  it('refuses a pick with nothing offered, a source not offered, a late pick, and a second pick', () => {
    const broker = new ScreenShareBroker();
    expect(() => broker.arm('screen:0:0', 0)).toThrow(/screen\.sources/);
    broker.offerSources(sources, 0);
    expect(() => broker.arm('screen:9:0', 1)).toThrow('the chosen screen or window was not one of those offered');
    broker.offerSources(sources, 0);
    expect(() => broker.arm('screen:0:0', SHARE_PICK_TIMEOUT_MS + 1)).toThrow(/out of date/);
    broker.offerSources(sources, 0);
    broker.arm('screen:0:0', 1);
    // One list, one pick: a second pick needs the picker again.
    expect(() => broker.arm('window:1234:0', 2)).toThrow(IpcError);
    expect(broker.take(3)).toEqual({ ok: true, source: sources[0] });
  });

  it('lets a pick expire, and a capture with no pick is refused', () => {
    const broker = new ScreenShareBroker();
    expect(broker.take(0).ok).toBe(false);
    broker.offerSources(sources, 0);
    broker.arm('screen:0:0', 10);
    expect(broker.take(10 + SHARE_PICK_TIMEOUT_MS + 1)).toEqual({ ok: false, reason: 'the pick timed out before the capture started' });
    expect(broker.take(10).ok).toBe(false);
  });

  it('disarms a waiting pick when the sources are listed again', () => {
    const broker = new ScreenShareBroker();
    broker.offerSources(sources, 0);
    broker.arm('screen:0:0', 1);
    broker.offerSources(sources, 2);
    expect(broker.take(3).ok).toBe(false);
  });

  it('classifies desktopCapturer ids', () => {
    expect(captureSourceKind('screen:1:0')).toBe('screen');
    expect(captureSourceKind('window:42:1')).toBe('window');
    expect(captureSourceKind('web-contents-media-stream://1')).toBeNull();
  });
});
