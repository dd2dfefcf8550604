import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_LIMIT, HistoryError, openCallHistory, type CallHistoryEntry } from './call-history';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-history-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function callId(n: number): string {
  return `call-${String(n).padStart(6, '0')}-abcdefghijklmnop`;
}

function entry(n: number, overrides: Partial<CallHistoryEntry> = {}): CallHistoryEntry {
  const startedAt = 1_700_000_000_000 + n * 60_000;
  return {
    callId: callId(n),
    peerId: 'bob@corp.example',
    direction: 'outgoing',
    startedAt,
    answeredAt: startedAt + 5_000,
    endedAt: startedAt + 65_000,
    outcome: 'completed',
    ...overrides,
  };
}

function missed(n: number): CallHistoryEntry {
  const { answeredAt: _never, ...rest } = entry(n);
  return { ...rest, direction: 'incoming', outcome: 'missed', endedAt: rest.startedAt + 30_000 };
}

describe('call history', () => {
  it('lists newest first, with the talking time derived', async () => {
    const history = await openCallHistory({ dataDir });
    await history.record(entry(2));
    await history.record(entry(1));
    await history.record(missed(3));
    const list = history.list();
    expect(list.map((item) => item.callId)).toEqual([callId(3), callId(2), callId(1)]);
    expect(list[1]?.durationMs).toBe(60_000);
    expect(list[0]?.durationMs).toBe(0);
  });

  it('keeps only the newest entries, up to the limit', async () => {
    expect(DEFAULT_HISTORY_LIMIT).toBe(500);
    const history = await openCallHistory({ dataDir, limit: 5 });
    for (let n = 1; n <= 8; n++) await history.record(entry(n));
    expect(history.list().map((item) => item.callId)).toEqual([8, 7, 6, 5, 4].map(callId));
    const reopened = await openCallHistory({ dataDir, limit: 5 });
    expect(reopened.list()).toHaveLength(5);
    // A smaller limit on a later start trims what was stored under a bigger one.
    expect((await openCallHistory({ dataDir, limit: 2 })).list().map((item) => item.callId)).toEqual([8, 7].map(callId));
  });

  it('counts unseen missed calls, and only incoming missed ones', async () => {
    const history = await openCallHistory({ dataDir });
    await history.record(missed(1));
    await history.record(missed(2));
    const { answeredAt: _never, ...unanswered } = entry(3);
    await history.record({ ...unanswered, outcome: 'unanswered' });
    await history.record({ ...unanswered, callId: callId(4), direction: 'incoming', outcome: 'declined' });
    expect(history.unseenMissed()).toBe(2);
    await history.markSeen();
    expect(history.unseenMissed()).toBe(0);
    await history.record(missed(5));
    expect(history.unseenMissed()).toBe(1);
    // Seen-ness survives a restart.
    expect((await openCallHistory({ dataDir })).unseenMissed()).toBe(1);
  });

  it('records the same call once, without making a seen missed call unseen again', async () => {
    const history = await openCallHistory({ dataDir });
    await history.record(missed(1));
    await history.markSeen();
    await history.record({ ...missed(1), reason: 'caller cancelled' });
    expect(history.list()).toHaveLength(1);
    expect(history.list()[0]?.reason).toBe('caller cancelled');
    expect(history.unseenMissed()).toBe(0);
  });

  it('survives a restart', async () => {
    const first = await openCallHistory({ dataDir });
    await first.record(entry(1, { outcome: 'failed', reason: 'mitm-detected' }));
    await first.record(missed(2));
    const second = await openCallHistory({ dataDir });
    expect(second.list()).toEqual(first.list());
    expect(second.recovery).toBeNull();
  });

  it('does not lose one of several quick records', async () => {
    const history = await openCallHistory({ dataDir });
    await Promise.all(Array.from({ length: 10 }, (_, n) => history.record(entry(n))));
    expect((await openCallHistory({ dataDir })).list()).toHaveLength(10);
  });

  it.each([
    ['{"version": 1, "entries": [', 'is not valid JSON (it may be truncated)'],
    ['{"version": 1, "entries": [{"callId": "x"}]}', '"entries[0].callId" is not valid: a call id is 22 to 64 URL-safe characters'],
  ])('moves a damaged file aside, reports it, and starts empty: %s', async (content, problem) => {
    const file = path.join(dataDir, 'call-history.json');
    await writeFile(file, content);
    const history = await openCallHistory({ dataDir, now: () => Date.UTC(2025, 5, 1, 12) });
    const movedTo = `${file}.corrupt-2025-06-01T12-00-00-000Z`;
    expect(history.recovery).toEqual({ file, movedTo, problem });
    expect(history.list()).toEqual([]);
    expect(await readFile(movedTo, 'utf8')).toBe(content);
    await history.record(entry(1));
    expect((await readdir(dataDir)).sort()).toEqual(['call-history.json', 'call-history.json.corrupt-2025-06-01T12-00-00-000Z']);
  });

  it('refuses an impossible entry, naming the field', async () => {
    const history = await openCallHistory({ dataDir });
    const backwards = entry(1, { endedAt: entry(1).startedAt - 1 });
    await expect(history.record(backwards)).rejects.toThrow(HistoryError);
    await expect(history.record(backwards)).rejects.toMatchObject({ field: 'endedAt' });
    const { answeredAt: _never, ...unanswered } = entry(2);
    await expect(history.record({ ...unanswered, outcome: 'completed' })).rejects.toMatchObject({ field: 'answeredAt' });
    expect(history.list()).toEqual([]);
  });

  it('clears', async () => {
    const history = await openCallHistory({ dataDir });
    await history.record(missed(1));
    await history.clear();
    expect(history.list()).toEqual([]);
    expect((await openCallHistory({ dataDir })).unseenMissed()).toBe(0);
  });
});
