import { redisMissingReason } from '../server/test-support/redis-server.fixture';
import { expect, test } from './fixtures';
import { ClusterCompany } from './harness/cluster-company';
import { connectCall, expectDecoding, mediaStats } from './harness/call-driver';
import { connectionOf, expectCallLivedOn } from './harness/call-survives';

/*
 * Fault: one of two server instances (cluster mode over Redis, behind a load balancer) is killed
 * with SIGKILL in the middle of a call. The media is peer to peer and must not notice; the app
 * on the dead instance reconnects through the balancer to the survivor, which has the call's
 * state in Redis, so both show online with the call claimed (busy), the call goes on, and its
 * hang-up and the next call go through the survivor. How fast this happens is measured by the
 * bench, not asserted here.
 */

test.describe.configure({ timeout: 180_000 });

test('an instance dies mid-call: both apps are back online on the other instance, and the call goes on', async ({ harness, hostKind }) => {
  test.skip(hostKind !== 'harness', 'the harness owns the server processes');
  const missing = redisMissingReason();
  test.skip(missing !== undefined, missing);
  // The production grace (20 s), not the test servers' short one: a reconnect must not race it.
  const cluster = await ClusterCompany.open(harness, ['--call-grace', '20s']);
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
    await expect.poll(() => connectionOf(alice)).toBe('online');
    await expect.poll(() => connectionOf(bob)).toBe('online');
    // Frames decoded across the kill, then the survivor has the call (its state is in Redis).
    await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded).toBeGreaterThan(before[0].framesDecoded);
    await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded).toBeGreaterThan(before[1].framesDecoded);
    await expectCallLivedOn(alice, bob);
  } finally {
    // The instances' logs go with the report: a cluster failure is read there first.
    for (const [index, instance] of cluster.instances.entries()) await test.info().attach(`instance-${String(index)}.log`, { body: instance.logs(), contentType: 'text/plain' });
    await cluster.close();
  }
});
