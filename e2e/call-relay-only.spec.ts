import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { acceptCall, connectCall, counters, mediaStats, placeCall, snapshot, waitForCallState } from './harness/call-driver';
import { coturnMissingReason } from './harness/coturn';
import { closeRelayCompany, openRelayCompany, TURN_SECRET } from './harness/relay-company';
import { expectAccessible, snapBothSchemes, WINDOW_SIZE } from './screens-support';

/*
 * Relay-only calls through Debian's coturn on loopback. The Sealcall server hands out coturn's
 * REST-API credentials (use-auth-secret); both users turn on relay-only, so their browsers offer
 * relay candidates only. The call must connect through coturn, with a relay candidate selected on
 * both sides, and decode encrypted media both ways. The negative twin gives coturn a different
 * secret from the server's: every allocation is refused, and the call cannot connect.
 */

test.describe.configure({ timeout: 180_000 });

test.beforeEach(({ hostKind }, testInfo) => {
  testInfo.skip(hostKind === 'electron', 'needs the core in the test process (harness only)');
  const missing = coturnMissingReason();
  testInfo.skip(missing !== undefined, missing);
});

test('relay-only: the call goes through coturn on both sides, and encrypted media decodes both ways', async ({ harness }, testInfo) => {
  const opened = await openRelayCompany(harness, testInfo, TURN_SECRET);
  try {
    const { alice, bob } = opened;
    await alice.page.setViewportSize(WINDOW_SIZE);
    await bob.page.setViewportSize(WINDOW_SIZE);
    await connectCall(alice.page, bob.page, bob.userId);

    for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
      await expect.poll(async () => (await mediaStats(page)).framesDecoded, { message: `${name} decodes video`, timeout: 15_000 }).toBeGreaterThan(30);
      await expect.poll(async () => (await counters(page)).decrypted.video, { message: `${name} decrypts video in the worker` }).toBeGreaterThan(30);
      await expect.poll(async () => (await counters(page)).decrypted.audio, { message: `${name} decrypts audio in the worker` }).toBeGreaterThan(100);
      const stats = await mediaStats(page);
      const report = await counters(page);
      console.log(`${name}: selected pair ${stats.localCandidateType} -> ${stats.remoteCandidateType}, ${stats.framesDecoded} video frames decoded, ${stats.totalSamplesReceived} audio samples, decrypted ${JSON.stringify(report.decrypted)}, failed ${JSON.stringify(report.failed)}`);
      expect(stats.localCandidateType, `${name}'s selected local candidate`).toBe('relay');
      // Relay-only on both sides: the far end of the pair is the other side's relay address.
      expect(stats.remoteCandidateType, `${name}'s selected remote candidate`).toBe('relay');
      expect(stats.relayed).toBe(true);
      expect(report.decrypted.video, `${name} decrypted video`).toBeGreaterThan(30);
      expect(report.decrypted.audio, `${name} decrypted audio`).toBeGreaterThan(100);
      expect(report.failed).toEqual({ audio: 0, video: 0 });
      expect((await snapshot(page)).encryption).toBe('encrypted');
    }

    // coturn itself saw both users allocate, under the server's short-lived usernames.
    const log = readFileSync(opened.coturn.logFile, 'utf8');
    for (const userId of ['alice', 'bob']) expect(log, `coturn allocated a relay for ${userId}`).toMatch(new RegExp(`user <\\d+:${userId}>: incoming packet ALLOCATE processed, success`));

    // The quality indicator's details say so, on both sides, and open and close from the keyboard.
    for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
      const indicator = page.getByRole('button', { name: /connection, details$/ });
      await expect(indicator, `${name}'s quality indicator`).toBeVisible({ timeout: 10_000 });
      await indicator.focus();
      await page.keyboard.press('Enter');
      await expect(indicator).toHaveAttribute('aria-expanded', 'true');
      const details = page.getByRole('group', { name: 'Connection details' });
      await expect(details).toContainText('Through the company relay (TURN)');
      await expect(details).toContainText(/Round trip\s*\d+ ms/);
      await expect(details).toContainText(/Receiving\s*[\d.]+ [kM]bit\/s/);
      if (name === 'alice') {
        await expectAccessible(page, 'the call with connection details open');
        await snapBothSchemes(page, testInfo, 'call-connection-details');
      }
      await page.keyboard.press('Escape');
      await expect(details).toBeHidden();
      await expect(indicator).toBeFocused();
      await expect(indicator).toHaveAttribute('aria-expanded', 'false');
    }
    expect(alice.problems()).toEqual([]);
    expect(bob.problems()).toEqual([]);
  } finally {
    await closeRelayCompany(opened, testInfo);
  }
});

test('relay-only with a TURN secret coturn does not share: no relay, no connection, nothing decodes', async ({ harness }, testInfo) => {
  // The core's connect timeout, shortened from 30 s: with no relay there is nothing to wait for.
  const opened = await openRelayCompany(harness, testInfo, 'not-the-servers-secret', 8_000);
  try {
    const { alice, bob } = opened;
    await placeCall(alice.page, bob.userId, { audio: true, video: true });
    await acceptCall(bob.page, { audio: true, video: true });
    await Promise.all([waitForCallState(alice.page, 'ended', 30_000), waitForCallState(bob.page, 'ended', 30_000)]);

    for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
      const view = await snapshot(page);
      const stats = await mediaStats(page);
      const report = await counters(page);
      console.log(`${name}: ended ${view.call?.endReason}, selected pair ${stats.localCandidateType} -> ${stats.remoteCandidateType}, ${stats.framesDecoded} frames decoded, decrypted ${JSON.stringify(report.decrypted)}`);
      expect(view.call?.endReason, `${name}'s call ended for want of a connection`).toBe('connection-lost');
      expect(stats.localCandidateType).toBeNull();
      expect(stats.framesDecoded).toBe(0);
      expect(report.decrypted).toEqual({ audio: 0, video: 0 });
    }
    // coturn turned the allocations down: the credentials do not verify against its secret.
    const log = readFileSync(opened.coturn.logFile, 'utf8');
    for (const userId of ['alice', 'bob']) expect(log, `coturn refused ${userId}`).toMatch(new RegExp(`user <\\d+:${userId}>: incoming packet message processed, error 401`));
    expect(log).not.toMatch(/ALLOCATE processed, success/);
  } finally {
    await closeRelayCompany(opened, testInfo);
  }
});
