import { expect, test } from './fixtures';
import { unwrap } from './harness/company';

test('two users enrolled through real invite links see each other online', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  const contacts = unwrap<{ id: string; presence: string; displayName: string }[]>(await alice.host.invoke('contacts.list', undefined));
  expect(contacts).toEqual([expect.objectContaining({ id: 'bob', displayName: 'Bob Baker', presence: 'online' })]);
  const status = await bob.page.evaluate(() => window.sealcall?.invoke('identity.status'));
  expect(status).toMatchObject({ state: 'ready', userId: 'bob' });
});
