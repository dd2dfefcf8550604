import { z } from 'zod';
import { callIdSchema, userIdSchema } from '../../../shared/protocol/fields';

export const callOutcomeSchema = z.enum(['completed', 'missed', 'declined', 'busy', 'cancelled', 'failed', 'unanswered']);
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

const time = z.number().int().nonnegative();

const entryShape = {
  callId: callIdSchema,
  peerId: userIdSchema,
  direction: z.enum(['outgoing', 'incoming']),
  /** Epoch milliseconds, like every time in history. */
  startedAt: time,
  answeredAt: time.optional(),
  endedAt: time,
  outcome: callOutcomeSchema,
  /** Detail for 'failed' and friends, e.g. "mitm-detected"; shown to the user, so no secrets. */
  reason: z.string().max(200).optional(),
};

type EntryTimes = { startedAt: number; answeredAt?: number | undefined; endedAt: number; outcome: CallOutcome };

function checkTimes(entry: EntryTimes, ctx: z.RefinementCtx): void {
  if (entry.endedAt < entry.startedAt) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'is before startedAt' });
  if (entry.answeredAt !== undefined && (entry.answeredAt < entry.startedAt || entry.answeredAt > entry.endedAt)) {
    ctx.addIssue({ code: 'custom', path: ['answeredAt'], message: 'is not between startedAt and endedAt' });
  }
  if (entry.outcome === 'completed' && entry.answeredAt === undefined) {
    ctx.addIssue({ code: 'custom', path: ['answeredAt'], message: 'is required for a completed call' });
  }
}

/** What the call machinery reports when a call ends. */
export const callHistoryEntrySchema = z.strictObject(entryShape).superRefine(checkTimes);
export type CallHistoryEntry = z.infer<typeof callHistoryEntrySchema>;

/** As stored: the entry, and whether the user has seen it (meaningful for missed calls). */
const storedEntrySchema = z.strictObject({ ...entryShape, seen: z.boolean() }).superRefine(checkTimes);
export type StoredHistoryEntry = z.infer<typeof storedEntrySchema>;

export const HISTORY_FILE_VERSION = 1;
export const historyFileSchema = z.strictObject({
  version: z.literal(HISTORY_FILE_VERSION),
  entries: z.array(storedEntrySchema).max(10_000),
});
export type HistoryFile = z.infer<typeof historyFileSchema>;
