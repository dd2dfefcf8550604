import { expect, test } from './fixtures';
import { connectCall, expectDecoding, mediaStats, snapshot } from './harness/call-driver';
import { connectionOf, expectCallLivedOn } from './harness/call-survives';

/*
 * Fault: the company server is killed (SIGKILL, no goodbye) in the middle of a call. The media is
 * peer to peer and must not notice; both apps must be back on the restarted server promptly, with
 * the call claimed again (presence busy), and the next call must work.
 */


test('the server dies mid-call: media keeps flowing, both reconnect within 3 s of its return, and a new call works', async ({ twoUsers, company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'the harness owns the server process');
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);
  await expectDecoding([alice.page, bob.page]);

  await company.server.stop('SIGKILL');
  await expect.poll(() => connectionOf(alice)).toBe('offline');
  await expect.poll(() => connectionOf(bob)).toBe('offline');
  const down = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  // Down for longer than the first few retries, so the backoff has grown.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const stillDown = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  for (const [index, name] of ['alice', 'bob'].entries()) {
    const [start, end] = [down[index], stillDown[index]];
    if (start === undefined || end === undefined) throw new Error('missing stats');
    console.log(`${name}: +${end.framesDecoded - start.framesDecoded} video frames decoded while the server was down`);
    expect(end.framesDecoded - start.framesDecoded, `${name}'s video while the server is down`).toBeGreaterThan(30);
    expect((await snapshot(index === 0 ? alice.page : bob.page)).call?.state).toBe('connected');
  }

  await company.restartServer();
  const back = Date.now();
  await expect.poll(() => connectionOf(alice), { timeout: 3_000 }).toBe('online');
  await expect.poll(() => connectionOf(bob), { timeout: 3_000 }).toBe('online');
  console.log(`both online ${Date.now() - back} ms after the server was back`);
  // The restarted server took the call back from both sides' claims.
  await expectCallLivedOn(alice, bob);
});
