import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { unwrap } from './harness/company';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

test.beforeAll(warmHarness);
// Each test runs axe and takes screenshots in both schemes on top of a call or a restart: 15-20 s
// alone, and more than 30 s on a loaded 2-core machine running two workers.
test.describe.configure({ timeout: 120_000 });

interface RingCount {
  opened: number;
  closed: number;
}

/** Counts the audio contexts the page opens and closes: the ring is one, made only while ringing. */
async function countRings(page: Page): Promise<() => Promise<RingCount>> {
  await page.evaluate(() => {
    const counts = { opened: 0, closed: 0 };
    const Original = window.AudioContext;
    window.AudioContext = class extends Original {
      constructor(options?: AudioContextOptions) {
        super(options);
        counts.opened++;
      }
      override close(): Promise<void> {
        counts.closed++;
        return super.close();
      }
    };
    Object.assign(window, { ringCounts: counts });
  });
  return () => page.evaluate(() => (window as unknown as { ringCounts: RingCount }).ringCounts);
}

test('Bob declines Alice’s call from the incoming-call dialog; Alice sees why it ended', async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  await bob.page.setViewportSize(WINDOW_SIZE);
  const rings = await countRings(bob.page);

  // From the keyboard: the call button is reachable and answers to Enter.
  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).focus();
  await alice.page.keyboard.press('Enter');
  // A video call goes through the lobby, whose focus starts on its Call button.
  await expect(alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' }).getByRole('button', { name: 'Call', exact: true })).toBeFocused();
  await alice.page.keyboard.press('Enter');
  await expect(alice.page.getByRole('heading', { level: 2, name: 'Bob Baker' })).toBeVisible();
  await expect(alice.page.getByText(/^(Calling|Ringing)…$/)).toBeVisible();

  const ringing = bob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toBeVisible();
  await expect(ringing).toContainText('Incoming video call');
  await expect(ringing).toContainText('Not verified');
  await expect(ringing.getByRole('button', { name: 'Accept with video' })).toBeVisible();
  await expect(ringing.getByRole('button', { name: 'Accept audio only' })).toBeVisible();
  await expect(alice.page.getByText('Ringing…')).toBeVisible();
  await expect.poll(rings).toEqual({ opened: 1, closed: 0 });
  await snapBothSchemes(bob.page, testInfo, 'incoming-call');
  await snapBothSchemes(alice.page, testInfo, 'outgoing-ringing');
  await expectAccessible(bob.page, 'the incoming-call dialog');

  // Focus starts on the dialog, not on a button a stray keypress could press; Tab reaches Decline.
  await expect(ringing.getByRole('button', { name: 'Decline' })).not.toBeFocused();
  await bob.page.keyboard.press('Tab');
  await expect(ringing.getByRole('button', { name: 'Decline' })).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(ringing).toBeHidden();
  await expect.poll(rings, { message: 'the ring stopped' }).toEqual({ opened: 1, closed: 1 });
  await expect(alice.page.getByText('Bob declined')).toBeVisible();
  await snapBothSchemes(alice.page, testInfo, 'call-declined');
  // Shown briefly, then back to the contact list.
  await expect(alice.page.getByRole('button', { name: 'Call Bob Baker' })).toBeVisible();

  const history = unwrap<{ items: { outcome: string; direction: string }[] }>(await alice.host.invoke('history.list', undefined));
  expect(history.items).toEqual([expect.objectContaining({ outcome: 'declined', direction: 'outgoing' })]);
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('in a call: video, controls with their state, the short code on both sides, hang-up', async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  await bob.page.setViewportSize(WINDOW_SIZE);

  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
  await alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' }).getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Alice Archer' }).getByRole('button', { name: 'Accept with video' }).click();
  await bob.page.getByRole('dialog', { name: 'Alice Archer is calling' }).getByRole('button', { name: 'Join' }).click();

  for (const page of [alice.page, bob.page]) {
    await expect(page.getByText('End-to-end encrypted')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByText('Read these digits to each other:')).toBeVisible();
    await expect(page.getByText(/^\d:\d\d$/)).toBeVisible();
  }
  const shortCode = /^\d{4} \d{4} \d{4}$/;
  const [aliceCode, bobCode] = await Promise.all([alice.page.getByText(shortCode).innerText(), bob.page.getByText(shortCode).innerText()]);
  expect(bobCode).toBe(aliceCode);
  await expect(alice.page.getByText('Bob is not verified yet')).toBeVisible();
  // The remote video plays; so does the local preview.
  await expect(alice.page.getByLabel("Bob Baker's video")).toBeVisible();
  await expect(alice.page.getByLabel('Your camera')).toBeVisible();
  await snapBothSchemes(alice.page, testInfo, 'in-call');

  const controls = alice.page.getByRole('toolbar', { name: 'Call controls' });
  const mute = controls.getByRole('button', { name: 'Mute' });
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
  await mute.click();
  await expect(controls.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  await controls.getByRole('button', { name: 'Turn camera off' }).click();
  await expect(controls.getByRole('button', { name: 'Turn camera on' })).toHaveAttribute('aria-pressed', 'true');
  await expect(alice.page.getByLabel('Your camera')).toBeHidden();
  await snapBothSchemes(alice.page, testInfo, 'in-call-muted');
  await expectAccessible(alice.page, 'the in-call screen');

  // The safety number opens over the call, and Escape closes it without ending anything.
  await bob.page.getByRole('button', { name: 'View safety number' }).click();
  const safety = bob.page.getByRole('dialog', { name: 'Safety number with Alice Archer' });
  await expect(safety.getByRole('list', { name: 'Safety number with Alice Archer' }).getByRole('listitem')).toHaveCount(12);
  await bob.page.keyboard.press('Escape');
  await expect(safety).toBeHidden();
  await expect(bob.page.getByText('End-to-end encrypted')).toBeVisible();

  await controls.getByRole('button', { name: 'Hang up' }).click();
  await expect(alice.page.getByText('Call ended')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Back to contacts' }).click();
  await expect(alice.page.getByRole('button', { name: 'Call Bob Baker' })).toBeVisible();
  // Bob's side shows the end briefly, then his contact list again.
  await expect(bob.page.getByRole('button', { name: 'Call Alice Archer' })).toBeVisible({ timeout: 10_000 });
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('a changed key gates the call: new safety number, Cancel, then Call anyway rings Bob', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);
  const compared = unwrap<{ digits: string }>(await alice.host.invoke('contacts.safetyNumber', { userId: 'bob' })).digits;
  unwrap(await alice.host.invoke('contacts.setVerified', { userId: 'bob', verified: true, digits: compared }));
  const bobRow = page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: 'Bob Baker' });
  await expect(bobRow).toContainText('Verified');

  // Bob gets a new computer: IT revokes the old key and reinstates him with a fresh link.
  const newBob = await company.newComputer('bob', 'Bob Baker');
  await expect(bobRow).toContainText('Safety number changed');
  await expect(bobRow).not.toContainText('Verified');
  await expect(bobRow).toContainText('Online');

  await page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const gate = page.getByRole('dialog', { name: "Bob Baker's safety number changed" });
  await expect(gate).toBeVisible();
  const expected = unwrap<{ digits: string }>(await alice.host.invoke('contacts.safetyNumber', { userId: 'bob' })).digits;
  const groups = gate.getByRole('list', { name: 'New safety number with Bob Baker' }).getByRole('listitem');
  await expect(groups).toHaveCount(12);
  expect((await groups.allInnerTexts()).join('')).toBe(expected);
  await snapBothSchemes(page, testInfo, 'key-changed-gate');
  await expectAccessible(page, 'the key-changed gate');

  await gate.getByRole('button', { name: 'Cancel' }).click();
  await expect(gate).toBeHidden();
  expect(unwrap(await alice.host.invoke('call.current', undefined))).toBeNull();

  await page.getByRole('button', { name: 'Call Bob Baker' }).click();
  await gate.getByRole('button', { name: 'Call anyway' }).click();
  await page.getByRole('dialog', { name: 'Video call with Bob Baker' }).getByRole('button', { name: 'Call', exact: true }).click();
  const ringing = newBob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toBeVisible();

  await ringing.getByRole('button', { name: 'Decline' }).click();
  await expect(page.getByText('Bob declined')).toBeVisible();
  expect(alice.problems()).toEqual([]);
  expect(newBob.problems()).toEqual([]);
});

test('"Accept" on the OS notification answers the call as the dialog would', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await alice.page.getByRole('button', { name: 'Audio call to Bob Baker' }).click();
  const ringing = bob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toContainText('Incoming audio call');

  const incoming = unwrap<{ callId: string } | null>(await bob.host.invoke('call.current', undefined));
  if (incoming === null) throw new Error('Bob has no incoming call');
  bob.host.acceptFromNotification(incoming.callId);
  await expect(ringing).toBeHidden();
  for (const page of [alice.page, bob.page]) await expect(page.getByText('End-to-end encrypted')).toBeVisible({ timeout: 15_000 });
  // An audio call answered from the notification turns no camera on.
  const bobView = unwrap<{ media: { audio: boolean; video: boolean } } | null>(await bob.host.invoke('call.current', undefined));
  expect(bobView?.media).toEqual({ audio: true, video: false });
  await expect(bob.page.getByLabel('Your camera')).toBeHidden();

  await bob.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(alice.page.getByText('Call ended')).toBeVisible();
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});
