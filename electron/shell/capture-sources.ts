import { desktopCapturer } from 'electron';
import { captureSourceKind, type CaptureSource } from '../core/shell-policy/display-media';

/** Thumbnail size for the picker's cards: 16:9, small enough to list dozens of windows. */
const THUMBNAIL = { width: 320, height: 180 };

/** The host's captureSources port: what desktopCapturer lists, with PNG thumbnails. */
export async function listCaptureSources(): Promise<CaptureSource[]> {
  const sources = await desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: THUMBNAIL });
  return sources.flatMap((source): CaptureSource[] => {
    const kind = captureSourceKind(source.id);
    if (kind === null) return [];
    return [{ id: source.id, name: source.name, kind, thumbnail: source.thumbnail.isEmpty() ? null : source.thumbnail.toDataURL() }];
  });
}
