import type { ConnectionState, Contact } from '../shared/ipc';
import { redisMissingReason } from '../server/test-support/redis-server.fixture';
import { expect, test } from './fixtures';
import { ClusterCompany } from './harness/cluster-company';
import { unwrap } from './harness/company';
import { connectCall, counters, expectDecoding, hangUp, mediaStats, snapshot, waitForCallState } from './harness/call-driver';
import type { HarnessUser } from './harness/harness-user';

/*
 * Fault: one of two server instances (cluster mode over Redis, behind a load balancer) is killed
 * with SIGKILL in the middle of a call. The media is peer to peer and must not notice; the app
 * on the dead instance reconnects through the balancer to the survivor, which has the call's
 * state in Redis, so both show online with the call claimed (busy), the call goes on, and its
 * hang-up and the next call go through the survivor. How fast this happens is measured by the
 * bench, not asserted here.
 */

test.describe.configure({ timeout: 120_000 });

const connection = async (user: HarnessUser) => unwrap<ConnectionState>(await user.host.invoke('connection.status', undefined)).state;
const presenceOf = async (user: HarnessUser, id: string) =>
  unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined)).find((contact) => contact.id === id)?.presence;

test('an instance dies mid-call: both apps are back online on the other instance, and the call goes on', async ({ harness, hostKind }) => {
  test.skip(hostKind !== 'harness', 'the harness owns the server processes');
  const missing = redisMissingReason();
  test.skip(missing !== undefined, missing);
  // The production grace (20 s), not the test servers' short one: a reconnect must not race it.
  const cluster = await ClusterCompany.open(harness, ['--call-grace', '20s', '--instance-ttl', '1s']);
  try {
    const { company } = cluster;
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);
    await connectCall(alice.page, bob.page, bob.userId);
    await expectDecoding([alice.page, bob.page]);

    const victim = cluster.busiestInstance();
    const survivor = cluster.instances.find((instance) => instance !== victim);
    if (survivor === undefined) throw new Error('no second instance');
    const before = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
    await victim.stop('SIGKILL');

    // Every app connection now goes through the survivor, and both apps say online.
    await expect.poll(() => cluster.balancer.openConnections().get(victim.port)).toBe(0);
    await expect.poll(() => cluster.balancer.openConnections().get(survivor.port)).toBeGreaterThanOrEqual(2);
    await expect.poll(() => connection(alice)).toBe('online');
    await expect.poll(() => connection(bob)).toBe('online');
    // The survivor has the call (its state is in Redis): each sees the other busy, in the call.
    await expect.poll(() => presenceOf(alice, bob.userId)).toBe('busy');
    await expect.poll(() => presenceOf(bob, alice.userId)).toBe('busy');
    for (const page of [alice.page, bob.page]) expect((await snapshot(page)).call?.state).toBe('connected');

    // The call goes on: decoded frames keep arriving on both sides.
    await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded).toBeGreaterThan(before[0].framesDecoded);
    await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded).toBeGreaterThan(before[1].framesDecoded);
    const later = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
    await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded).toBeGreaterThan(later[0].framesDecoded);
    await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded).toBeGreaterThan(later[1].framesDecoded);
    for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });

    // The hang-up reaches Bob through the survivor, and a new call works there.
    await hangUp(alice.page);
    await Promise.all([waitForCallState(alice.page, 'ended'), waitForCallState(bob.page, 'ended')]);
    expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
    await expect.poll(() => presenceOf(alice, bob.userId)).toBe('online');
    await connectCall(bob.page, alice.page, alice.userId);
    await expectDecoding([alice.page, bob.page]);
    await hangUp(bob.page);
  } finally {
    await cluster.close();
  }
});
