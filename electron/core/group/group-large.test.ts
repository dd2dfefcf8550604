import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomCallId } from '../../../server/test-support/harness.fixture';
import { janusMissingReason, startJanus, type JanusProcess } from '../../../server/test-support/janus.fixture';
import { openProxiedCores, type ProxiedCores } from '../../../e2e/harness/proxied-group-cores';
import type { GroupCallView } from './group-call-events';

/*
 * A meeting of many (docs/protocol.md, "Meetings over the SFU"): real cores in this process, a
 * real server and a real Janus. Everyone rung accepts at once; the committer adds whoever is
 * waiting in one commit (one Welcome for them all), and every core ends in the same epoch with
 * every member in its tree and the same security code. SEALCALL_MEETING_SIZE sets the size
 * (default 50, the most a call holds: about 8 s here). The time it took is printed, not asserted.
 */

const SIZE = Number(process.env.SEALCALL_MEETING_SIZE ?? 50);
const missing = janusMissingReason();
const ids = Array.from({ length: SIZE }, (_, index) => (index === 0 ? 'host' : `guest${String(index).padStart(2, '0')}`));

describe.skipIf(missing !== undefined)(`a meeting of ${SIZE}${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let company: ProxiedCores;

  beforeAll(async () => {
    janus = await startJanus();
    company = await openProxiedCores(ids, [], ['--call-grace', '10s', '--janus-url', janus.apiUrl, '--janus-secrets-file', janus.secretsFile]);
  }, 300_000);

  afterAll(async () => {
    await company.close();
    await janus.stop();
  });

  it('everyone accepts at once: all reach one epoch with every member and one security code', async () => {
    const host = company.core('host');
    const guests = ids.slice(1).map((id) => company.core(id));
    const groupId = randomCallId();
    const started = performance.now();
    await host.groups.create({ groupId, invitees: ids.slice(1), media: 'video', fingerprint: host.fingerprint });
    await Promise.all(guests.map((guest) => guest.view(groupId, (view) => view.state === 'incoming', 'incoming')));
    for (const guest of guests) guest.groups.accept(groupId, guest.fingerprint);

    const latest = (): (GroupCallView | undefined)[] => company.cores().map((c) => c.viewsOf(groupId).at(-1));
    await vi.waitFor(() => {
      const views = latest();
      expect(views.every((view) => view?.state === 'active' && view.members.length === SIZE && view.members.every((member) => member.index !== null))).toBe(true);
      expect(new Set(views.map((view) => `${String(view?.epoch)} ${String(view?.securityCode)}`)).size).toBe(1);
    }, { timeout: 600_000, interval: 250 });
    const seconds = (performance.now() - started) / 1000;
    const views = latest();
    console.log(`a meeting of ${SIZE}: every core at epoch ${String(views[0]?.epoch)} with the same code after ${seconds.toFixed(1)} s`);
    expect(views.every((view) => view?.transport === 'sfu')).toBe(true);
    host.groups.end(groupId);
  }, 900_000);
});
