import type { HistoryView } from '../shared/ipc';
import { expect, test } from './fixtures';
import { placeCall, snapshot, hangUp, waitForCallState } from './harness/call-driver';
import { Company, unwrap, type CompanyUser } from './harness/company';

/*
 * The calls that never connect, in the real apps: each must end on both sides with the right
 * reason, and read right in both users' history (missed only for the one who was rung).
 */


const media = { audio: true, video: false };

async function history(user: CompanyUser): Promise<HistoryView> {
  return unwrap<HistoryView>(await user.host.invoke('history.list', undefined));
}

async function lastOutcome(user: CompanyUser): Promise<string | undefined> {
  await expect.poll(async () => (await history(user)).items.length, { timeout: 10_000 }).toBeGreaterThan(0);
  return (await history(user)).items[0]?.outcome;
}

async function endReason(user: CompanyUser): Promise<string | null | undefined> {
  await waitForCallState(user.page, 'ended');
  return (await snapshot(user.page)).call?.endReason;
}

test('cancel before the answer: the caller cancelled, the callee missed it', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await placeCall(alice.page, bob.userId, media);
  await waitForCallState(bob.page, 'incoming');
  await hangUp(alice.page);
  expect(await endReason(bob)).toBe('cancelled');
  expect(await lastOutcome(alice)).toBe('cancelled');
  expect(await lastOutcome(bob)).toBe('missed');
  expect((await history(bob)).unseenMissed).toBe(1);
});

test('calling someone already in a call gets busy, and their ringing call goes on', async ({ twoUsers }) => {
  const { alice, bob, company } = twoUsers;
  const carol = await company.enrolledUser('carol', 'Carol Cole');
  await company.seeEachOther(alice, bob, carol);
  await placeCall(alice.page, bob.userId, media);
  await waitForCallState(bob.page, 'incoming');
  await placeCall(carol.page, bob.userId, media);
  expect(await endReason(carol)).toBe('busy');
  expect(await lastOutcome(carol)).toBe('busy');
  const alicesCall = (await snapshot(alice.page)).call?.callId;
  expect((await snapshot(bob.page)).call).toMatchObject({ state: 'incoming', callId: alicesCall });
  await hangUp(alice.page);
});

test('an unanswered call times out on both sides: unanswered for the caller, missed for the callee', async ({ harness }) => {
  const company = await Company.open(harness, ['--invite-timeout', '3s']);
  try {
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);
    await placeCall(alice.page, bob.userId, media);
    await waitForCallState(bob.page, 'incoming');
    expect(await endReason(alice)).toBe('timeout');
    expect(await endReason(bob)).toBe('timeout');
    expect(await lastOutcome(alice)).toBe('unanswered');
    expect(await lastOutcome(bob)).toBe('missed');
  } finally {
    await company.close();
  }
});
