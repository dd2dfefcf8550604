import { z } from 'zod';

/*
 * What the page reads of Janus's VideoRoom answers and events, each checked before use: Janus is
 * not trusted (docs/threat-model.md, "A hostile SFU"). Anything else a message carries is ignored;
 * a message that does not fit reads as saying nothing.
 */

const idSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** More publishers than a room takes is not an answer Janus gives honestly. */
const MAX_LISTED = 256;

/** A publisher as Janus lists it: its participant id and the display name it joined with (its user id). */
export interface Publisher {
  id: number;
  display: string;
}

const publisherSchema = z.object({ id: idSchema, display: z.string().min(1).max(256) });
const listSchema = z.array(z.unknown()).max(MAX_LISTED);

/** The publishers an answer or event lists; malformed entries are left out. */
export function readPublishers(data: Record<string, unknown>): Publisher[] {
  const list = listSchema.safeParse(data['publishers']);
  if (!list.success) return [];
  const publishers: Publisher[] = [];
  for (const entry of list.data) {
    const publisher = publisherSchema.safeParse(entry);
    if (publisher.success) publishers.push(publisher.data);
  }
  return publishers;
}

/** A subscription's stream: which m-line (mid) carries which publisher's (feed) media. */
export interface SubscribedStream {
  mid: string;
  feed: number;
  kind: 'audio' | 'video';
}

const streamSchema = z.object({
  mid: z.string().min(1).max(64),
  feed_id: idSchema.optional(),
  type: z.string().max(16),
  active: z.boolean().optional(),
});

/** The audio and video streams of a subscriber's `attached` or `updated` answer; undefined if it lists none. */
export function readStreams(data: Record<string, unknown>): SubscribedStream[] | undefined {
  const list = listSchema.safeParse(data['streams']);
  if (!list.success) return undefined;
  const streams: SubscribedStream[] = [];
  for (const entry of list.data) {
    const stream = streamSchema.safeParse(entry);
    if (!stream.success || stream.data.active === false || stream.data.feed_id === undefined) continue;
    const { type } = stream.data;
    if (type !== 'audio' && type !== 'video') continue;
    streams.push({ mid: stream.data.mid, feed: stream.data.feed_id, kind: type });
  }
  return streams;
}

/** What a publisher handle's event says about the room. */
export type RoomNews =
  | { kind: 'publishers'; publishers: Publisher[] }
  | { kind: 'gone'; id: number }
  /** This member was kicked (the server took it out of the room). */
  | { kind: 'kicked' }
  | { kind: 'other' };

/** Reads one event of the publisher's handle. */
export function readRoomNews(data: Record<string, unknown>, ownId: number): RoomNews {
  if (data['videoroom'] !== 'event' && data['videoroom'] !== 'joined') return { kind: 'other' };
  const kicked = data['kicked'];
  const leaving = data['leaving'];
  if (kicked === ownId || (leaving === 'ok' && data['reason'] === 'kicked') || leaving === ownId) return { kind: 'kicked' };
  for (const gone of [leaving, data['unpublished'], kicked]) {
    const id = idSchema.safeParse(gone);
    if (id.success) return { kind: 'gone', id: id.data };
  }
  if (data['publishers'] !== undefined) return { kind: 'publishers', publishers: readPublishers(data) };
  return { kind: 'other' };
}
