import { describe, expect, it } from 'vitest';
import { isAllowedSender } from './sender-policy';

const renderer = 'file:///opt/Sealcall/resources/app/out/renderer/index.html';

describe('isAllowedSender', () => {
  it('allows our renderer in our main frame', () => {
    expect(isAllowedSender({ url: renderer, isOurMainFrame: true }, renderer)).toBe(true);
  });

  it('ignores the query and fragment the UI may route with', () => {
    expect(isAllowedSender({ url: `${renderer}?x=1#/contacts`, isOurMainFrame: true }, renderer)).toBe(true);
  });

  it('matches the same file however its path is escaped', () => {
    const spaced = 'file:///opt/Seal%20call/index.html';
    expect(isAllowedSender({ url: 'file:///opt/Seal call/index.html', isOurMainFrame: true }, spaced)).toBe(true);
  });

  it.each([
    ['a frame that is gone', null],
    ['a subframe', { url: renderer, isOurMainFrame: false }],
    ['another local file', { url: 'file:///opt/Sealcall/resources/app/out/renderer/other.html', isOurMainFrame: true }],
    ['a dot-dot path to another file', { url: 'file:///opt/Sealcall/resources/app/out/renderer/../evil/index.html', isOurMainFrame: true }],
    ['a remote page', { url: 'https://example.com/index.html', isOurMainFrame: true }],
    ['a file on another host', { url: 'file://server/opt/Sealcall/resources/app/out/renderer/index.html', isOurMainFrame: true }],
    ['a data URL', { url: 'data:text/html,<h1>hi</h1>', isOurMainFrame: true }],
    ['about:blank', { url: 'about:blank', isOurMainFrame: true }],
    ['an unparsable URL', { url: 'not a url', isOurMainFrame: true }],
    ['a malformed escape', { url: 'file:///opt/%E0%A4%A/index.html', isOurMainFrame: true }],
  ])('refuses %s', (_label, frame) => {
    expect(isAllowedSender(frame, renderer)).toBe(false);
  });

  it('refuses everything when our own URL is not a file URL', () => {
    const url = 'http://127.0.0.1:5173/index.html';
    expect(isAllowedSender({ url, isOurMainFrame: true }, url)).toBe(false);
  });
});
