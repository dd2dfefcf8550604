import { describe, expect, it } from 'vitest';
import { MAX_CAPTURE_SOURCES, MAX_THUMBNAIL_CHARS } from '../../../shared/ipc';
import { offerableSources } from './capture-sources';
import type { CaptureSource } from './display-media';

const png = 'data:image/png;base64,iVBORw0KGgo=';

describe('offerableSources', () => {
  it('keeps screens and windows, screens first, and leaves out other ids', () => {
    const listed: CaptureSource[] = [
      { id: 'window:1:0', name: 'Notes', kind: 'window', thumbnail: png },
      { id: 'web-contents-media-stream://3', name: 'A tab', kind: 'window', thumbnail: null },
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: png },
    ];
    expect(offerableSources(listed).map((source) => source.id)).toEqual(['screen:0:0', 'window:1:0']);
  });

  it('cuts long titles and drops a thumbnail that is too big or not a PNG, not the source', () => {
    const [long, big, jpeg] = offerableSources([
      { id: 'window:1:0', name: 'x'.repeat(5000), kind: 'window', thumbnail: png },
      { id: 'window:2:0', name: 'Big', kind: 'window', thumbnail: `data:image/png;base64,${'A'.repeat(MAX_THUMBNAIL_CHARS)}` },
      { id: 'window:3:0', name: 'Jpeg', kind: 'window', thumbnail: 'data:image/jpeg;base64,/9j/' },
    ]);
    expect(long?.name).toHaveLength(200);
    expect(long?.thumbnail).toBe(png);
    expect(big).toEqual({ id: 'window:2:0', name: 'Big', kind: 'window', thumbnail: null });
    expect(jpeg?.thumbnail).toBeNull();
  });

  it('takes the kind from the id, and caps the list', () => {
    const many = Array.from({ length: MAX_CAPTURE_SOURCES + 10 }, (_, index): CaptureSource => ({ id: `window:${index}:0`, name: `W${index}`, kind: 'screen', thumbnail: null }));
    const offered = offerableSources(many);
    expect(offered).toHaveLength(MAX_CAPTURE_SOURCES);
    expect(offered.every((source) => source.kind === 'window')).toBe(true);
  });
});
