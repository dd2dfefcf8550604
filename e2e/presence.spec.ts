import type { Contact } from '../shared/ipc';
import { expect, test } from './fixtures';
import { connectCall, hangUp } from './harness/call-driver';
import { TEST_PASSPHRASE, unwrap } from './harness/company';
import type { HarnessUser } from './harness/harness-user';

/*
 * Presence by subscription, as the user sees it: the rows on screen follow their colleague through
 * a call, a quit and a return; a row the screen no longer shows is no longer followed.
 */


const presenceOf = async (user: HarnessUser, id: string) =>
  unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined)).find((contact) => contact.id === id)?.presence;

test("a colleague's presence shows in the list: online, in a call, offline, back online", async ({ twoUsers, company }) => {
  const { alice, bob } = twoUsers;
  const carol = await company.enrolledUser('carol', 'Carol Cole');
  await company.seeEachOther(alice, bob, carol);
  const rows = alice.page.getByRole('list', { name: 'Contacts' }).getByRole('listitem');
  const bobRow = rows.filter({ hasText: 'Bob Baker' });
  const carolRow = rows.filter({ hasText: 'Carol Cole' });
  await expect(bobRow).toContainText('Online');
  await expect(carolRow).toContainText('Online');

  // Bob calls Carol: Alice, who is in neither's call, sees both busy, then free again.
  await connectCall(bob.page, carol.page, carol.userId, { audio: true, video: false });
  await expect(bobRow).toContainText('In a call');
  await expect(carolRow).toContainText('In a call');
  await hangUp(bob.page);
  await expect(bobRow).toContainText('Online');
  await expect(carolRow).toContainText('Online');

  // Bob quits, then comes back.
  const { dataDir } = bob;
  await bob.context.close();
  await bob.host.close();
  await expect(bobRow).toContainText('Offline');
  const bobAgain = await company.openApp({ dataDir });
  expect(unwrap<{ state: string }>(await bobAgain.host.invoke('identity.unlock', { passphrase: TEST_PASSPHRASE })).state).toBe('ready');
  await expect(bobRow).toContainText('Online');

  // A search hides Bob's row: his presence is no longer followed (he is not verified and not in
  // Alice's history), so it is unknown, which reads as offline; clearing it brings him back.
  const search = alice.page.getByRole('searchbox', { name: 'Search contacts' });
  await search.fill('carol');
  await expect(rows).toHaveCount(1);
  await expect.poll(() => presenceOf(alice, 'bob')).toBe('offline');
  expect(await presenceOf(alice, 'carol')).toBe('online');
  await search.fill('');
  await expect(bobRow).toContainText('Online');
  expect(alice.problems()).toEqual([]);
});
