import type { ConnectionState, Contact } from '../../shared/ipc';
import { expect } from '../fixtures';
import { connectCall, counters, expectDecoding, hangUp, mediaStats, snapshot, waitForCallState } from './call-driver';
import { unwrap, type CompanyUser } from './company';
import type { HarnessUser } from './harness-user';

/* What the server-fault specs check once the server side came back: the call lived through it. */

export const connectionOf = async (user: HarnessUser) => unwrap<ConnectionState>(await user.host.invoke('connection.status', undefined)).state;

export const presenceOf = async (user: HarnessUser, id: string) =>
  unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined)).find((contact) => contact.id === id)?.presence;

/**
 * Both apps show the call claimed again (each sees the other busy) and still connected, decoded
 * frames keep arriving on both sides with nothing failing to decrypt, the caller's hang-up reaches
 * the callee, and a new call works.
 */
export async function expectCallLivedOn(alice: CompanyUser, bob: CompanyUser): Promise<void> {
  await expect.poll(() => presenceOf(alice, bob.userId)).toBe('busy');
  await expect.poll(() => presenceOf(bob, alice.userId)).toBe('busy');
  for (const page of [alice.page, bob.page]) expect((await snapshot(page)).call?.state).toBe('connected');
  const later = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded).toBeGreaterThan(later[0].framesDecoded);
  await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded).toBeGreaterThan(later[1].framesDecoded);
  for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });

  await hangUp(alice.page);
  await Promise.all([waitForCallState(alice.page, 'ended'), waitForCallState(bob.page, 'ended')]);
  expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
  await expect.poll(() => presenceOf(alice, bob.userId)).toBe('online');
  await connectCall(bob.page, alice.page, alice.userId);
  await expectDecoding([alice.page, bob.page]);
  await hangUp(bob.page);
}
