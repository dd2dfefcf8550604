import { z } from 'zod';

/*
 * A group call as one document: in one instance's memory (group-relay.ts), or as JSON in Redis
 * (server/cluster/group-lua.ts), read back whole and checked before any decision is made on it.
 * Lua's cjson writes an empty list as `{}`, which is read as an empty list.
 */

const list = z.union([z.array(z.string()), z.object({}).strict().transform((): string[] => [])]);

const groupDocSchema = z
  .object({
    owner: z.string(),
    media: z.object({ audio: z.boolean(), video: z.boolean() }),
    /** The owner's latest signed invite list, as signed. */
    invitees: list,
    invite: z.string(),
    signature: z.string(),
    /** Who may join: the signed list, less those who declined or were removed. */
    invited: list,
    /** In the order they joined; the owner first. */
    members: list,
    /** Members whose session dropped, with the time (ms) their grace runs out. */
    away: z.record(z.string(), z.number()),
    /** Commits accepted so far. */
    epoch: z.number().int().min(0),
    /** Bumped by every change: a change is written only over the revision it was decided on. */
    rev: z.number().int().min(0),
    /** 'sfu' once the call went through the SFU (for good); absent for a mesh. */
    transport: z.literal('sfu').optional(),
  })
  .strip();

export type GroupDoc = z.infer<typeof groupDocSchema>;

export function parseGroupDoc(text: string): GroupDoc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('a group in Redis is not JSON');
  }
  const result = groupDocSchema.safeParse(parsed);
  if (!result.success) throw new Error('a group in Redis does not have the expected fields');
  return result.data;
}

/** A copy to change: the decisions never modify the document they read. */
export function copyDoc(doc: GroupDoc): GroupDoc {
  return { ...doc, media: { ...doc.media }, invitees: [...doc.invitees], invited: [...doc.invited], members: [...doc.members], away: { ...doc.away } };
}
