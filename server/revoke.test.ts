import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { TestClient, enrollUser, inviteDirect, randomCallId, runCli, serverForSuite } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
const b64 = (length: number) => toBase64Url(new Uint8Array(length).fill(5));
const server = serverForSuite();

describe('revocation by the admin CLI', () => {
  it('cuts the live connection at once, ends their call, and tells everyone', async () => {
    const alice = await enrollUser(server, 'alice');
    const bob = await enrollUser(server, 'bob');
    const callId = randomCallId();
    alice.client.send({ v, type: 'call.invite', callId, to: 'bob', media: { audio: true, video: true }, ake: { commitment: b64(32), signature: b64(64) } });
    await bob.client.next('call.invite');
    // Answered, so the test server's short ring timeout cannot end the call before the revocation does.
    const reveal = { ephemeralKey: b64(32), fingerprint: `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, signature: b64(64) };
    bob.client.send({ v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: false }, ake: reveal });
    await alice.client.next('call.accept');

    const before = await bob.client.sync();
    expect(before.users.map((u) => u.id)).toContain('alice');
    const result = await runCli(['revoke', 'alice', '--data-dir', server.dataDir, '--reason', 'left the company']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/Revoked alice/);

    expect((await alice.client.error('revoked', 3000)).code).toBe('revoked');
    expect((await alice.client.closed).code).toBe(1008);
    expect(await bob.client.next('call.ended')).toMatchObject({ callId, reason: 'peer-revoked' });
    expect(await bob.client.next('directory.removed')).toEqual({ v, type: 'directory.removed', userId: 'alice', version: before.version + 1 });

    // Refused from then on, with its own code.
    const again = await TestClient.connect(server.wsUrl);
    await again.auth('alice', alice.keys);
    expect((await again.error()).code).toBe('revoked');
    // A copy from before the revocation is told exactly that, as a delta.
    expect(await bob.client.sync({ epoch: before.epoch, version: before.version })).toEqual({
      v,
      type: 'directory.delta',
      epoch: before.epoch,
      version: before.version + 1,
      full: false,
      users: [],
      removed: ['alice'],
    });
    expect((await bob.client.sync()).users.map((u) => u.id)).not.toContain('alice');
    bob.client.close();
  });

  it('cancels an unused invite, so the link no longer works', async () => {
    const code = inviteDirect(server.dataDir, 'frank', 'Frank');
    expect((await runCli(['revoke', 'frank', '--data-dir', server.dataDir])).code).toBe(0);
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, await generateIdentityKeyPair());
    expect((await client.error()).code).toBe('invite-invalid');
  });

  it('lets an admin reinstate a revoked user explicitly', async () => {
    const refused = await runCli(['invite', 'alice', '--name', 'Alice', '--data-dir', server.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--reinstate/);
    const result = await runCli(['invite', 'alice', '--name', 'Alice', '--reinstate', '--data-dir', server.dataDir]);
    expect(result.code).toBe(0);
    const code = new URL(result.stdout.trim()).searchParams.get('code') ?? '';
    const keys = await generateIdentityKeyPair();
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, keys);
    expect(await client.next('welcome')).toMatchObject({ userId: 'alice' });
    client.close();
  });
});
