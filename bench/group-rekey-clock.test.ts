import { describe, expect, it } from 'vitest';
import { CommitClock } from './group-rekey-rounds';
import { isFromChild, isToChild } from './group-rekey-rpc';

describe('the rekey bench', () => {
  it('times a commit from its first send: a second committer of the same epoch does not move it', async () => {
    const clock = new CommitClock();
    const waiting = clock.at('g', 2);
    clock.record('g', 2, 100);
    clock.record('g', 2, 50);
    clock.record('h', 2, 7);
    await expect(waiting).resolves.toBe(100);
    await expect(clock.at('g', 2)).resolves.toBe(100);
    await expect(clock.at('h', 2)).resolves.toBe(7);
  });

  it('forgets the sends of past rounds', async () => {
    const clock = new CommitClock();
    clock.record('g', 1, 10);
    clock.forget();
    const waiting = clock.at('g', 1);
    clock.record('g', 1, 20);
    await expect(waiting).resolves.toBe(20);
  });

  it("refuses malformed messages between the bench and a member's process", () => {
    expect(isToChild({ kind: 'call', ref: 1, call: { op: 'forget' } })).toBe(true);
    expect(isToChild({ kind: 'call', ref: '1', call: { op: 'forget' } })).toBe(false);
    expect(isToChild({ kind: 'start', start: {} })).toBe(false);
    expect(isToChild(null)).toBe(false);
    expect(isFromChild({ kind: 'sent', groupId: 'g', epoch: 1, at: 5 })).toBe(true);
    expect(isFromChild({ kind: 'sent', groupId: 'g', epoch: '1', at: 5 })).toBe(false);
    expect(isFromChild({ kind: 'answer', ref: 3, value: 1 })).toBe(true);
    expect(isFromChild({ kind: 'answer' })).toBe(false);
    expect(isFromChild({ kind: 'listening' })).toBe(true);
    expect(isFromChild('listening')).toBe(false);
  });
});
