import { PROTOCOL_VERSION } from '../shared/protocol';
import type { HistoryView } from '../shared/ipc';
import { expect, test } from './fixtures';
import { connectCall, expectDecoding, snapshot } from './harness/call-driver';
import { Company, unwrap } from './harness/company';
import { ReofferAttacker, type AttackerStats } from './harness/reoffer-attacker';
import { TamperingProxy, type RelayedSignal } from './harness/tampering-proxy';

/*
 * A malicious server, mid-call (issue 12, item 8). Alice and Bob are connected and decoding, their
 * DTLS bound to the certificates they signed in the handshake. The server then cuts Alice off,
 * sends Bob a re-offer in Alice's name, made by a peer of its own with another real certificate,
 * and hands whatever Bob sends back to that peer. Let through (as before the fix), Bob's WebRTC
 * answers it, runs DTLS again with the attacker's certificate, and sends it his media: hundreds
 * of packets within seconds, which only SFrame keeps from being decoded. Bob's core must refuse
 * it before his page sees it: the call ends as mitm-detected on both sides, Bob is warned, and the
 * attacker's peer gets nothing, not even an answer.
 */


test("a re-offer with another certificate after connect: Bob's core refuses it, the call ends as a man in the middle, the attacker decodes nothing", async ({ harness, hostKind }, testInfo) => {
  testInfo.skip(hostKind === 'electron', 'needs the core in the test process (harness only)');

  const proxy = await TamperingProxy.listen();
  let company: Company | undefined;
  const bare = await harness.openBarePage();
  try {
    company = await Company.open(harness, ['--public-url', proxy.url]);
    proxy.forwardTo(company.server.wsUrl);
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);

    // 1. An honest call, connected and decoding on both sides.
    await connectCall(alice.page, bob.page, bob.userId);
    await expectDecoding([alice.page, bob.page], 10);
    const realOffer = [...(proxy.signalsTo.get('bob') ?? [])].reverse().find((message) => message.data['type'] === 'offer');
    if (realOffer === undefined || typeof realOffer.data['sdp'] !== 'string') throw new Error('the proxy relayed no offer to Bob');

    // 2. The attacker's peer, with a certificate of its own, makes a re-offer Bob's WebRTC would take.
    const attacker = ReofferAttacker.open(bare.page);
    const reoffer = await attacker.reoffer(realOffer.data['sdp']);
    expect(reoffer.fingerprint, 'the re-offer names a real certificate').toMatch(/^sha-256 [0-9A-F:]{95}$/);
    expect(realOffer.data['sdp']).not.toContain(reoffer.fingerprint);

    // 3. The server turns: Alice is cut off from the call (her signals and hang-ups go nowhere),
    //    Bob's signals go to the attacker, and the re-offer goes to Bob in Alice's name.
    const fromAlice: Record<string, unknown>[] = [];
    proxy.divertFrom('alice', ['call.signal', 'call.hangup'], (message) => fromAlice.push(message));
    const diverted: Record<string, unknown>[] = [];
    proxy.divertFrom('bob', ['call.signal'], (message) => {
      diverted.push(message);
      if (typeof message['data'] === 'object' && message['data'] !== null) void attacker.take(message['data'] as Record<string, unknown>).catch(() => undefined);
    });
    const forged: RelayedSignal = { v: PROTOCOL_VERSION, type: 'call.signal', callId: realOffer.callId, from: 'alice', data: { type: 'offer', sdp: reoffer.sdp } };
    expect(proxy.inject('bob', forged), 'the re-offer reached Bob').toBeGreaterThan(0);

    // 4. Bob's call ends as a man in the middle, or the attacker connects: whichever comes first.
    const bobReason = async () => (await snapshot(bob.page)).call?.endReason ?? null;
    let lastStats: AttackerStats | undefined;
    await expect
      .poll(
        async () => {
          lastStats = await attacker.stats();
          return (await bobReason()) !== null || lastStats.states.includes('connected');
        },
        { message: 'the call ends, or the attacker gets through', timeout: 20_000 },
      )
      .toBe(true);
    // Long enough for media to reach the attacker, had Bob's WebRTC answered it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const attackerSaw = await attacker.stats();
    console.log(`attacker: ${JSON.stringify(attackerSaw)}; Bob sent it ${diverted.length} signals, Alice's ${fromAlice.length} were held back; Bob's call ended as ${String(await bobReason())}`);

    expect(await bobReason(), "Bob's call").toBe('mitm-detected');
    await expect.poll(async () => (await snapshot(alice.page)).call?.endReason, { message: "Alice's call" }).toBe('mitm-detected');
    // Bob's WebRTC never saw the re-offer: no answer, no candidate went out for the attacker.
    expect(diverted, "what Bob's page sent after the re-offer").toEqual([]);
    expect(attackerSaw.framesDecoded, 'frames the attacker decoded').toBe(0);
    expect(attackerSaw.packetsReceived, 'media packets the attacker received').toBe(0);
    expect(attackerSaw.states, "the attacker's peer never connected").not.toContain('connected');
    expect(attackerSaw.dtlsState).not.toBe('connected');

    // The warning, where Bob reads it, and in both histories.
    await expect(bob.page.getByText('Possible man-in-the-middle: call ended')).toBeVisible();
    await expect(bob.page.getByText('someone may be intercepting calls', { exact: false })).toBeVisible();
    await expect(alice.page.getByText('Possible man-in-the-middle: call ended')).toBeVisible();
    for (const [user, peerId] of [[alice, 'bob'], [bob, 'alice']] as const) {
      await expect.poll(async () => user.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
      const history = unwrap<HistoryView>(await user.host.invoke('history.list', undefined));
      // It had connected, but a call cut by a certificate nobody signed did not complete.
      expect(history.items[0]).toMatchObject({ peerId, outcome: 'failed', reason: 'mitm-detected' });
    }
    await attacker.close();
  } finally {
    await bare.close();
    await company?.close();
    await proxy.close();
  }
});
