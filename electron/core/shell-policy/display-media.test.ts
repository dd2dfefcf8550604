import { describe, expect, it } from 'vitest';
import { captureSourceKind, displayMediaDecision, ScreenShareBroker, SHARE_PICK_TIMEOUT_MS, type CaptureSource } from './display-media';

const renderer = 'file:///opt/Sealcall/resources/app.asar/out/renderer/index.html';
const ask = { frameUrl: renderer, isOurMainFrame: true, videoRequested: true, userGesture: true };
const sources: CaptureSource[] = [
  { id: 'screen:0:0', name: 'Entire Screen', kind: 'screen' },
  { id: 'window:1234:0', name: 'Quarterly report', kind: 'window' },
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
  it('honours a pick among the offered sources, once', () => {
    const broker = new ScreenShareBroker();
    const { share } = broker.open(sources, 1000);
    expect(share.sources).toEqual(sources);
    expect(broker.choose(share.requestId, 'window:1234:0', 2000)).toEqual({ ok: true, source: sources[1] });
    expect(broker.choose(share.requestId, 'window:1234:0', 2000).ok).toBe(false);
    expect(broker.current()).toBeNull();
  });

  it('refuses a source that was not offered, a cancel, and a late answer', () => {
    const broker = new ScreenShareBroker();
    expect(broker.choose(broker.open(sources, 0).share.requestId, 'screen:9:0', 1)).toEqual({
      ok: false,
      reason: 'the chosen source was not one of those offered',
    });
    expect(broker.choose(broker.open(sources, 0).share.requestId, null, 1)).toEqual({ ok: false, reason: 'the user cancelled the screen share' });
    expect(broker.choose(broker.open(sources, 0).share.requestId, 'screen:0:0', SHARE_PICK_TIMEOUT_MS + 1)).toEqual({
      ok: false,
      reason: 'the screen-share request timed out',
    });
  });

  it('supersedes a pending request with a new one', () => {
    const broker = new ScreenShareBroker();
    const first = broker.open(sources, 0).share;
    const second = broker.open(sources, 0);
    expect(second.superseded).toEqual(first);
    expect(broker.choose(first.requestId, 'screen:0:0', 1).ok).toBe(false);
    expect(broker.choose(second.share.requestId, 'screen:0:0', 1).ok).toBe(true);
  });

  it('classifies desktopCapturer ids', () => {
    expect(captureSourceKind('screen:1:0')).toBe('screen');
    expect(captureSourceKind('window:42:1')).toBe('window');
    expect(captureSourceKind('web-contents-media-stream://1')).toBeNull();
  });
});
