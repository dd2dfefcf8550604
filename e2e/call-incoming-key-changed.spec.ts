import type { CallView, Contact } from '../shared/ipc';
import { expect, test } from './fixtures';
import { counters, expectDecoding, hangUp, placeCall, snapshot, waitForCallState } from './harness/call-driver';
import { unwrap, type Company, type CompanyUser } from './harness/company';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The key-change gate on incoming calls: when the server hands Bob a new key for Alice (here, IT
 * revoked and re-enrolled her, which a malicious server would do to sit in the middle), her next
 * call rings with the change said up front, and nothing answers it until Bob says "answer anyway":
 * not the buttons, not a shortcut, not the notification's Accept, not a direct request to the core.
 */

test.beforeAll(warmHarness);

async function currentCall(user: CompanyUser): Promise<CallView | null> {
  return unwrap<CallView | null>(await user.host.invoke('call.current', undefined));
}

async function contact(user: CompanyUser, id: string): Promise<Contact | undefined> {
  return unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined)).find((entry) => entry.id === id);
}

/** The caller on a new computer, once the callee's app has its changed key. */
async function rekeyedCaller(company: Company, callee: CompanyUser, caller: CompanyUser): Promise<CompanyUser> {
  const rekeyed = await company.newComputer(caller.userId, caller.displayName, callee);
  await expect.poll(async () => (await contact(callee, caller.userId))?.keyChanged).toBe(true);
  return rekeyed;
}

test('a caller whose key changed cannot be answered without confirming; confirmed, the call decodes', async ({ twoUsers }, testInfo) => {
  const { alice, bob, company } = twoUsers;
  const newAlice = await rekeyedCaller(company, bob, alice);

  await placeCall(newAlice.page, 'bob', { audio: true, video: true });
  const ringing = bob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toContainText("Alice Archer's safety number has changed");
  const answerAudio = ringing.getByRole('button', { name: 'Accept audio only' });
  const answerVideo = ringing.getByRole('button', { name: 'Accept with video' });
  await expect(answerAudio).toBeDisabled();
  await expect(answerVideo).toBeDisabled();
  const call = await currentCall(bob);
  expect(call).toMatchObject({ state: 'incoming', peerKeyChanged: true });
  if (call === null) throw new Error('no ringing call');

  // Every other way to answer leaves it ringing: the shortcut, the notification, the core itself.
  await bob.page.keyboard.press('Control+Shift+S');
  bob.host.acceptFromNotification(call.callId);
  const direct = await bob.host.invoke('call.accept', { callId: call.callId, media: { audio: true, video: false }, fingerprint: `sha-256 ${'AB:'.repeat(31)}AB` });
  expect(direct).toMatchObject({ ok: false, error: { code: 'key-changed' } });
  await bob.page.waitForTimeout(500);
  expect((await currentCall(bob))?.state).toBe('incoming');
  expect((await snapshot(bob.page)).call?.state).toBe('incoming');

  // The new number is one click away, and it is the one Alice's new app shows.
  await ringing.getByRole('button', { name: 'View the new safety number' }).click();
  const shown = ringing.getByRole('list', { name: 'New safety number with Alice Archer' }).getByRole('listitem');
  await expect(shown).toHaveCount(12);
  const fromAlice = unwrap<{ digits: string }>(await newAlice.host.invoke('contacts.safetyNumber', { userId: 'bob' }));
  expect((await shown.allTextContents()).join('')).toBe(fromAlice.digits);
  await bob.page.setViewportSize(WINDOW_SIZE);
  await snapBothSchemes(bob.page, testInfo, 'incoming-key-changed');
  await expectAccessible(bob.page, 'the incoming call from a caller whose key changed');

  // Alice gives up and calls again: the second ring is gated just the same.
  await hangUp(newAlice.page);
  await waitForCallState(bob.page, 'ended');
  await placeCall(newAlice.page, 'bob', { audio: true, video: true });
  await expect(ringing).toContainText("Alice Archer's safety number has changed");
  await expect(answerVideo).toBeDisabled();
  await ringing.getByRole('checkbox', { name: "Answer anyway: I know Alice's safety number changed" }).check();
  await expect(answerAudio).toBeEnabled();
  // With video, through the lobby: the confirmation goes along to the answer that joining sends.
  await answerVideo.click();
  await bob.page.getByRole('dialog', { name: 'Alice Archer is calling' }).getByRole('button', { name: 'Join' }).click();
  await Promise.all([waitForCallState(newAlice.page, 'connected'), waitForCallState(bob.page, 'connected')]);
  await expectDecoding([bob.page, newAlice.page], 10);
  for (const page of [bob.page, newAlice.page]) {
    const report = await counters(page);
    expect(report.decrypted.video).toBeGreaterThan(0);
    expect(report.failed).toEqual({ audio: 0, video: 0 });
  }
  const [aliceView, bobView] = await Promise.all([snapshot(newAlice.page), snapshot(bob.page)]);
  expect(bobView.call?.shortCode).toBe(aliceView.call?.shortCode);
  // Answering knowingly settled the change for this key: Bob is no longer warned, and not verified either.
  expect(await contact(bob, 'alice')).toMatchObject({ keyChanged: false, verified: false });

  await hangUp(newAlice.page);
  await waitForCallState(bob.page, 'ended');
  expect(newAlice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('declining a caller whose key changed ends the call and settles nothing', async ({ twoUsers }) => {
  const { alice, bob, company } = twoUsers;
  const newBob = await rekeyedCaller(company, alice, bob);

  await placeCall(newBob.page, 'alice', { audio: true, video: false });
  const ringing = alice.page.getByRole('alertdialog', { name: 'Bob Baker' });
  await expect(ringing).toContainText("Bob Baker's safety number has changed");
  await ringing.getByRole('button', { name: 'Decline' }).click();
  await waitForCallState(newBob.page, 'ended');
  expect((await snapshot(newBob.page)).call?.endReason).toBe('declined');
  // Still gated: declining settles nothing.
  expect(await contact(alice, 'bob')).toMatchObject({ keyChanged: true });
  expect(alice.problems()).toEqual([]);
  expect(newBob.problems()).toEqual([]);
});
