import fc from 'fast-check';
import { enrollUser } from '../server/test-support/harness.fixture';
import { hostileSession, runHostileSession } from '../server/test-support/hostile-client.fixture';
import { expect, test } from './fixtures';
import { connectCall, expectDecoding, counters, hangUp, mediaStats, snapshot, waitForCallState } from './harness/call-driver';

/*
 * Fault: the company server under hostile input while a call is up. The call's media is peer to
 * peer, but its signalling, presence and the next call go through the server: all must hold.
 */


/** The server's count of refused messages and sockets, all reasons together. */
async function rejects(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  return [...text.matchAll(/^sealcall_rejects_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

test('a fuzzing client floods the server mid-call: the call goes on, a new call works, and the server counts the rejects', async ({ twoUsers, company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'the fuzzer talks to the harness server');
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);
  await expectDecoding([alice.page, bob.page]);

  const fuzzer = await enrollUser(company.server, 'fuzzer');
  fuzzer.client.close();
  const rejectsBefore = await rejects(company.server.httpUrl);
  const before = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  // At least 60 hostile sessions, six at a time, and for at least 4 s, so the media window is long enough to judge.
  const sessions = fc.sample(hostileSession(64 * 1024, alice.userId), { numRuns: 600, seed: 7 });
  const fuzzStarted = Date.now();
  let ran = 0;
  while (ran < 60 || Date.now() - fuzzStarted < 4_000) {
    const batch = sessions.slice(ran % sessions.length, (ran % sessions.length) + 6);
    await Promise.all(batch.map((session) => runHostileSession(company.server.wsUrl, { userId: 'fuzzer', keys: fuzzer.keys }, session)));
    ran += batch.length;
  }
  console.log(`${ran} hostile sessions in ${Date.now() - fuzzStarted} ms`);
  const after = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);

  for (const [index, name] of ['alice', 'bob'].entries()) {
    const [start, end] = [before[index], after[index]];
    if (start === undefined || end === undefined) throw new Error('missing stats');
    console.log(`${name}: +${end.framesDecoded - start.framesDecoded} video frames decoded while the server was fuzzed`);
    expect(end.framesDecoded - start.framesDecoded, `${name}'s video kept decoding`).toBeGreaterThan(20);
  }
  for (const page of [alice.page, bob.page]) {
    expect((await snapshot(page)).call?.state).toBe('connected');
    expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });
  }
  const rejectsAfter = await rejects(company.server.httpUrl);
  console.log(`server rejects: ${rejectsBefore} → ${rejectsAfter}`);
  expect(rejectsAfter).toBeGreaterThan(rejectsBefore + 20);
  expect((await fetch(`${company.server.httpUrl}/healthz`)).status).toBe(200);

  // The call ends cleanly through the server, and a new one (the other way round) works.
  await hangUp(alice.page);
  await Promise.all([waitForCallState(alice.page, 'ended'), waitForCallState(bob.page, 'ended')]);
  expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
  await connectCall(bob.page, alice.page, alice.userId);
  await expectDecoding([alice.page, bob.page]);
  await hangUp(bob.page);
});
