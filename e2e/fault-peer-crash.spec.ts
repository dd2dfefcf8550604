import type { HistoryView } from '../shared/ipc';
import { expect, test } from './fixtures';
import { unwrap } from './harness/company';
import { connectCall, expectDecoding, snapshot } from './harness/call-driver';

/*
 * Fault: Bob's app dies mid-call (his browser context is closed without a hang-up). Alice must
 * learn it from the media path itself, say so, go back to idle, and keep the call in history.
 */


test("Bob's app dies mid-call: Alice sees “connection lost” within 5 s, returns to idle, and the call is in history", async ({ twoUsers }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'closing a browser context is the harness’s way to crash a renderer');
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);
  await expectDecoding([alice.page]);
  const callId = (await snapshot(alice.page)).call?.callId;
  expect(callId).toBeDefined();

  const crashed = Date.now();
  await bob.context.close();
  await expect(alice.page.getByText('Connection lost')).toBeVisible({ timeout: 5_000 });
  console.log(`Alice showed "Connection lost" ${Date.now() - crashed} ms after Bob's app died`);
  expect((await snapshot(alice.page)).call?.endReason).toBe('connection-lost');

  // The ended call screen gives way to the contact list: idle, ready for the next call.
  await expect(alice.page.getByRole('button', { name: 'Call Bob Baker' })).toBeVisible({ timeout: 10_000 });
  expect(await alice.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
  const history = unwrap<HistoryView>(await alice.host.invoke('history.list', undefined));
  expect(history.items.find((item) => item.callId === callId)).toMatchObject({ peerId: bob.userId, direction: 'outgoing', outcome: 'completed' });
});
