import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCoreToken } from '../../../server/sfu/join-token';
import { janusMissingReason, startJanus, type JanusProcess } from '../../../server/test-support/janus.fixture';
import { JanusRelay } from '../../../electron/core/group/janus-relay';
import { JanusSession } from './janus-session';

/*
 * The app's Janus client against a real Janus (Debian's, deploy/janus/): a session Janus no longer
 * knows (it timed it out, as it did under load with a keepalive too late, or it restarted) is
 * reported lost, so that its owner opens another instead of asking the dead one again for ever.
 */

const missing = janusMissingReason();
// Janus answers a long poll hanging when the session goes at its own poll limit (30 s); the next gets the 404.
const WAIT_MS = 45_000;

describe.skipIf(missing !== undefined)(`a Janus session Janus forgot${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let token: string;
  const relay = new JanusRelay();

  beforeAll(async () => {
    janus = await startJanus({ rtpPorts: 10 });
    token = signCoreToken(janus.secrets.tokenAuthSecret, { room: 1234, participantId: 5678, expiresAt: Math.floor(Date.now() / 1000) + 600 });
  }, 60_000);

  afterAll(async () => {
    await janus.stop();
  });

  /** What Janus does to a session at its timeout, done from outside with the same token. */
  async function forget(id: number): Promise<void> {
    const response = await fetch(`${janus.apiUrl}/${String(id)}`, { method: 'POST', body: JSON.stringify({ janus: 'destroy', transaction: 'forget', token }) });
    expect(await response.json()).toMatchObject({ janus: 'success' });
  }

  /** A session, with whether it was reported lost and whether Janus was ever called unreachable. */
  async function open() {
    let lost: () => void = () => undefined;
    const heard = new Promise<void>((resolve) => (lost = resolve));
    const reachability: boolean[] = [];
    // As in the app: every request through the core's relay to the seat's URL.
    const seat = { url: janus.apiUrl, token };
    const session = await JanusSession.open({ send: (call) => relay.send('meeting', seat, call) }, { lost, reachable: (reachable) => reachability.push(reachable) });
    let wasLost = false;
    void heard.then(() => (wasLost = true));
    const lostWithin = (ms: number) => Promise.race([heard, new Promise((_, reject) => setTimeout(() => { reject(new Error(`no 'lost' within ${String(ms)} ms`)); }, ms))]);
    return { session, reachability, lostWithin, wasLost: () => wasLost };
  }

  it('a request on it is refused, and the session is reported lost at once', async () => {
    const { session, reachability, lostWithin, wasLost } = await open();
    try {
      expect(await session.attach(() => undefined)).toBeGreaterThan(0);
      await forget(session.id);
      await expect(session.attach(() => undefined)).rejects.toThrow(/No such session/);
      // Then and there, not at the next keepalive or poll.
      await Promise.resolve();
      expect(wasLost()).toBe(true);
      await lostWithin(1);
      expect(session.isClosed()).toBe(true);
      expect(reachability).toEqual([]);
    } finally {
      session.close();
    }
  }, 60_000);

  it('left alone, it is reported lost by its keepalive or its long poll (a bare 404 for an unknown session), not taken for Janus unreachable', async () => {
    const { session, reachability, lostWithin } = await open();
    try {
      expect(await session.attach(() => undefined)).toBeGreaterThan(0);
      await forget(session.id);
      await lostWithin(WAIT_MS);
      expect(session.isClosed()).toBe(true);
      expect(reachability).toEqual([]);
      await expect(session.request(1, { request: 'start' })).rejects.toThrow(/lost the session|No such session/);
    } finally {
      session.close();
    }
  }, 90_000);
});
