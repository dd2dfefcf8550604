import path from 'node:path';
import { describeIssue } from '../storage/describe-issue';
import { SerialQueue } from '../storage/file-lock';
import { writeJsonDocument, type JsonDocumentSpec } from '../storage/json-store';
import { readOrMoveAside, type FileRecovery } from '../storage/quarantine';
import {
  callHistoryEntrySchema,
  HISTORY_FILE_VERSION,
  historyFileSchema,
  type CallHistoryEntry,
  type HistoryFile,
  type StoredHistoryEntry,
} from './history-schema';

export type { CallHistoryEntry, CallOutcome } from './history-schema';

export const HISTORY_FILE_NAME = 'call-history.json';
export const DEFAULT_HISTORY_LIMIT = 500;

export interface CallHistoryItem extends CallHistoryEntry {
  /** Time talking: from answer to end; 0 for a call that was never answered. */
  readonly durationMs: number;
  readonly seen: boolean;
}

export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(
    readonly code: 'invalid',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CallHistory {
  readonly path: string;
  /** Set when the history file was damaged, moved aside and history restarted empty: tell the user. */
  readonly recovery: FileRecovery | null;
  /** Adds a finished call (or replaces the entry with the same callId) and persists it. */
  record(entry: CallHistoryEntry): Promise<CallHistoryItem>;
  /** Newest first. */
  list(): CallHistoryItem[];
  /** Whether a call with this id is recorded. */
  has(callId: string): boolean;
  /** Incoming calls missed since the user last looked. */
  unseenMissed(): number;
  markSeen(): Promise<void>;
  clear(): Promise<void>;
}

export interface CallHistoryOptions {
  readonly dataDir: string;
  /** How many entries to keep; the oldest go first. */
  readonly limit?: number;
  readonly now?: () => number;
}

function isUnseenMissed(entry: StoredHistoryEntry): boolean {
  return entry.outcome === 'missed' && entry.direction === 'incoming' && !entry.seen;
}

function toItem(entry: StoredHistoryEntry): CallHistoryItem {
  return { ...entry, durationMs: entry.answeredAt === undefined ? 0 : entry.endedAt - entry.answeredAt };
}

function checkEntry(entry: unknown): CallHistoryEntry {
  const parsed = callHistoryEntrySchema.safeParse(entry);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const { field, problem } = issue === undefined ? { field: '(entry)', problem: 'is not valid' } : describeIssue(issue, entry);
  throw new HistoryError('invalid', field, `call history entry: "${field}" ${problem}`);
}

/** Oldest first by start time; an entry started at the same moment as another goes after it. */
function insertSorted(entries: StoredHistoryEntry[], entry: StoredHistoryEntry): void {
  let index = entries.length;
  while (index > 0 && (entries[index - 1]?.startedAt ?? 0) > entry.startedAt) index--;
  entries.splice(index, 0, entry);
}

export async function openCallHistory(options: CallHistoryOptions): Promise<CallHistory> {
  const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('call history limit must be a positive integer');
  const spec: JsonDocumentSpec<HistoryFile> = {
    path: path.join(options.dataDir, HISTORY_FILE_NAME),
    schema: historyFileSchema,
    version: HISTORY_FILE_VERSION,
  };
  const { value, recovery } = await readOrMoveAside(spec, options.now);
  // Sorted oldest first; the file keeps whatever order it was written in, so sort once on load.
  let entries: readonly StoredHistoryEntry[] = [...(value?.entries ?? [])].sort((a, b) => a.startedAt - b.startedAt).slice(-limit);
  const queue = new SerialQueue();

  /** Entries change in memory only once they are on disk, so memory never shows what a restart would lose. */
  function commit(next: StoredHistoryEntry[]): Promise<void> {
    return writeJsonDocument(spec, { version: HISTORY_FILE_VERSION, entries: next }).then(() => {
      entries = next;
    });
  }

  return {
    path: spec.path,
    recovery,

    async record(entry) {
      const checked = checkEntry(entry);
      return await queue.run(async () => {
        const previous = entries.find((existing) => existing.callId === checked.callId);
        // Recording the same call again (a retried hang-up) must not make a seen missed call unseen.
        const stored: StoredHistoryEntry = { ...checked, seen: previous?.seen ?? !isUnseenMissed({ ...checked, seen: false }) };
        const next = entries.filter((existing) => existing.callId !== checked.callId);
        insertSorted(next, stored);
        await commit(next.slice(-limit));
        return toItem(stored);
      });
    },

    list: () => entries.map(toItem).reverse(),

    has: (callId) => entries.some((entry) => entry.callId === callId),

    unseenMissed: () => entries.filter(isUnseenMissed).length,

    markSeen() {
      return queue.run(async () => {
        if (!entries.some(isUnseenMissed)) return;
        await commit(entries.map((entry) => (entry.seen ? entry : { ...entry, seen: true })));
      });
    },

    clear() {
      return queue.run(() => commit([]));
    },
  };
}
