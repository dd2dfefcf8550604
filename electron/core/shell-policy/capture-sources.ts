import { captureSourceSchema, MAX_CAPTURE_SOURCES } from '../../../shared/ipc';
import { captureSourceKind, type CaptureSource } from './display-media';

const MAX_NAME_CHARS = 200;

/**
 * What the OS lists, made fit for the picker: names cut to length, a thumbnail too big (or not a
 * PNG data URL) dropped rather than the source, ids that are neither a screen nor a window left
 * out, and the list capped. Screens come first, as in every share picker.
 */
export function offerableSources(listed: readonly CaptureSource[]): CaptureSource[] {
  const offerable = listed.flatMap((source): CaptureSource[] => {
    const kind = captureSourceKind(source.id);
    if (kind === null) return [];
    const candidate = { id: source.id, name: source.name.slice(0, MAX_NAME_CHARS), kind, thumbnail: source.thumbnail };
    if (captureSourceSchema.safeParse(candidate).success) return [candidate];
    const withoutThumbnail = { ...candidate, thumbnail: null };
    return captureSourceSchema.safeParse(withoutThumbnail).success ? [withoutThumbnail] : [];
  });
  const screens = offerable.filter((source) => source.kind === 'screen');
  const windows = offerable.filter((source) => source.kind === 'window');
  return [...screens, ...windows].slice(0, MAX_CAPTURE_SOURCES);
}
