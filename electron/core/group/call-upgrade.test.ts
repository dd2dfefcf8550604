import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { callUpgradeTag } from '../../../shared/crypto/call-upgrade';
import type { GroupInvite } from '../../../shared/crypto/group-invite';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import type { CallView } from '../../../shared/ipc';
import { decodeSignedInvite } from './invite-wire';
import { randomCallId } from '../../../server/test-support/harness.fixture';
import type { NodeGroupCore } from '../../../e2e/harness/group-cores';
import { openProxiedCores, type ProxiedCores } from '../../../e2e/harness/proxied-group-cores';
import { forgedRing } from '../../../e2e/harness/group-tampering';
import type { TamperingProxy } from '../../../e2e/harness/tampering-proxy';

/*
 * "Add people" in a 1:1 call (docs/group-calls.md, "Adding people to a 1:1 call"), against real
 * cores (OnlineSession: the 1:1 call manager and the group-call manager) and a real server process
 * behind a tampering proxy. The other party of the call joins unrung only for an invite signed by
 * the peer of its live call that names that call and carries the tag only the call's two ends can
 * compute; everything else is a plain ring, declined as busy while a 1:1 call goes on.
 */

const USERS = ['alice', 'bob', 'carol', 'dave'] as const;
const WAIT = { timeout: 60_000, interval: 20 };

let company: ProxiedCores;
let proxy: TamperingProxy;
const core = (userId: string): NodeGroupCore => company.core(userId);
const secretKeyOf = (userId: string): Uint8Array => company.keysOf(userId).secretKey;

beforeAll(async () => {
  company = await openProxiedCores(USERS, ['mallory']);
  ({ proxy } = company);
}, 90_000);

afterAll(async () => {
  await company.close();
});

afterEach(async () => {
  for (const id of USERS) proxy.divertFrom(id, [], () => undefined);
  // Nobody may stay in a call the next test would find them busy with.
  for (const c of company.cores()) {
    const call = c.session.calls.current();
    if (call !== null && call.state !== 'ended') c.session.calls.hangup(call.callId);
    const group = c.groups.current();
    if (group !== undefined && (group.state === 'active' || group.state === 'joining')) c.groups.leave(group.groupId);
    if (group?.state === 'incoming') c.groups.decline(group.groupId);
  }
  await vi.waitFor(() => {
    for (const c of company.cores()) expect(c.session.calls.current()).toBeNull();
  }, WAIT);
});

function callView(userId: string, callId: string): CallView | undefined {
  const views = core(userId).callEvents.flatMap((event) => (event.kind === 'view' && event.callId === callId ? [event.view] : []));
  return views.at(-1);
}

/** SDP as the peer's page would send it: its signed certificate, nothing else that matters here. */
const sdpOf = (userId: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:${core(userId).fingerprint}\r\n`;

/** A 1:1 audio call from `caller` to `callee`, answered, keyed and with WebRTC up on both ends. */
async function connectedCall(caller: string, callee: string): Promise<string> {
  const callId = randomCallId();
  await core(caller).session.calls.start({ callId, userId: callee, media: { audio: true, video: false }, fingerprint: core(caller).fingerprint, confirmKeyChange: false });
  await vi.waitFor(() => { expect(callView(callee, callId)?.state).toBe('incoming'); }, WAIT);
  await core(callee).session.calls.accept({ callId, media: { audio: true, video: false }, fingerprint: core(callee).fingerprint });
  for (const [self, peer] of [[caller, callee], [callee, caller]] as const) {
    await vi.waitFor(() => { expect(core(self).callEvents.some((e) => e.kind === 'keys' && e.callId === callId)).toBe(true); }, WAIT);
    expect(core(self).session.calls.connected(callId, sdpOf(peer)).fingerprintOk).toBe(true);
  }
  return callId;
}

/** Bob's group.decline messages, taken before the server sees them. */
function divertDeclines(userId: string): Record<string, unknown>[] {
  const declines: Record<string, unknown>[] = [];
  proxy.divertFrom(userId, ['group.decline'], (message) => declines.push(message));
  return declines;
}

/** A ring "from" `owner` to `to`, signed with `signWith`, naming the 1:1 call `callId` with `tag`. */
async function upgradeRing(ring: { owner: string; invitees: string[]; callId: string; tag: Uint8Array; signWith: Uint8Array }): Promise<{ groupId: string; message: Record<string, unknown> }> {
  const groupId = randomCallId();
  const signed: GroupInvite = { groupId, owner: ring.owner, invitees: ring.invitees, media: 'audio', issuedAt: Date.now(), upgrade: { callId: ring.callId, tag: ring.tag } };
  const message = await forgedRing({ groupId, owner: ring.owner, invitees: ring.invitees, members: [ring.owner], media: 'audio', signWith: ring.signWith, signed });
  return { groupId, message };
}

describe('adding people to a 1:1 call', () => {
  it('turns the call into a group call: the other party joins unrung, the newcomer is rung, everyone reaches one epoch and code', async () => {
    const callId = await connectedCall('alice', 'bob');
    const groupId = randomCallId();
    const started = await core('alice').groups.create({ groupId, invitees: ['bob', 'carol'], media: 'audio', fingerprint: core('alice').fingerprint, upgradeFrom: callId });
    expect(started.upgradeOf).toBe(callId);
    // Alice's 1:1 call is over on her side at once; Bob still holds his until he joins the group.
    expect(core('alice').session.calls.current()).toBeNull();
    expect(callView('alice', callId)?.endReason).toBe('upgraded');

    const bobsRing = await core('bob').view(groupId, (view) => view.state === 'incoming', 'incoming');
    expect(bobsRing.upgradeOf).toBe(callId);
    const carolsRing = await core('carol').view(groupId, (view) => view.state === 'incoming', 'incoming');
    expect(carolsRing.upgradeOf).toBeNull();

    // What Bob's page does on such a view, with no one touching it: it joins while its 1:1 call is up.
    expect(core('bob').session.calls.current()?.state).toBe('connected');
    core('bob').groups.accept(groupId, core('bob').fingerprint);
    expect(core('bob').session.calls.current()).toBeNull();
    expect(callView('bob', callId)?.endReason).toBe('upgraded');
    core('carol').groups.accept(groupId, core('carol').fingerprint);

    const keys = await Promise.all(['alice', 'bob', 'carol'].map((id) => core(id).keys(groupId, 2)));
    const views = await Promise.all(['alice', 'bob', 'carol'].map((id) => core(id).view(groupId, (view) => view.epoch === 2 && view.securityCode !== null, 'epoch 2')));
    expect(new Set(keys.map((k) => Buffer.from(k.baseKey).toString('hex'))).size).toBe(1);
    expect(new Set(views.map((view) => view.securityCode)).size).toBe(1);
    expect(keys[0]?.senders.map((sender) => sender.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    // Bob's hang-up ended the call at the server too: Alice and Bob can call each other again.
    await vi.waitFor(() => { expect(core('alice').session.calls.current()).toBeNull(); }, WAIT);
    core('alice').groups.end(groupId);
    await core('bob').view(groupId, (view) => view.state === 'ended', 'ended');
    const again = await connectedCall('alice', 'bob');
    core('alice').session.calls.hangup(again);
  }, 120_000);

  it('only upgrades a connected call, and only with its other party among the invitees', async () => {
    await expect(core('alice').groups.create({ groupId: randomCallId(), invitees: ['bob', 'carol'], media: 'audio', fingerprint: core('alice').fingerprint, upgradeFrom: randomCallId() })).rejects.toMatchObject({ code: 'invalid-input' });
    const callId = await connectedCall('alice', 'bob');
    await expect(core('alice').groups.create({ groupId: randomCallId(), invitees: ['carol', 'dave'], media: 'audio', fingerprint: core('alice').fingerprint, upgradeFrom: callId })).rejects.toMatchObject({ code: 'invalid-input' });
    // Without naming the call, a group call is still refused while in it.
    await expect(core('alice').groups.create({ groupId: randomCallId(), invitees: ['bob', 'carol'], media: 'audio', fingerprint: core('alice').fingerprint })).rejects.toMatchObject({ code: 'in-call' });
    expect(core('alice').session.calls.current()?.state).toBe('connected');
  }, 60_000);

  it('refuses a server that turns the call into a group on its own: its signature is not the peer’s, nothing rings', async () => {
    const callId = await connectedCall('alice', 'bob');
    const forger = await generateIdentityKeyPair();
    const { groupId, message } = await upgradeRing({ owner: 'alice', invitees: ['bob', 'carol'], callId, tag: randomBytes(32), signWith: forger.secretKey });
    const declines = divertDeclines('bob');
    expect(proxy.inject('bob', message)).toBe(1);
    const refused = await core('bob').waitFor((event) => event.kind === 'refused' && event.groupId === groupId, 'refusal');
    expect(refused.event.kind === 'refused' && refused.event.code).toBe('bad-invite');
    expect(core('bob').viewsOf(groupId)).toEqual([]);
    await vi.waitFor(() => { expect(declines.map((d) => d['groupId'])).toEqual([groupId]); }, WAIT);
    expect(core('bob').session.calls.current()?.state).toBe('connected');
  }, 60_000);

  it('does not let an invite signed by the peer but without this call’s tag join unrung: declined as busy', async () => {
    const callId = await connectedCall('alice', 'bob');
    // Alice's own key signed it (the server cannot), naming the live call, but the tag was not made
    // from this call's keys: what another of Alice's devices, not in the call, could make.
    const { groupId, message } = await upgradeRing({ owner: 'alice', invitees: ['bob', 'carol'], callId, tag: randomBytes(32), signWith: secretKeyOf('alice') });
    const declines = divertDeclines('bob');
    expect(proxy.inject('bob', message)).toBe(1);
    await vi.waitFor(() => { expect(declines).toEqual([expect.objectContaining({ type: 'group.decline', groupId, reason: 'busy' })]); }, WAIT);
    expect(core('bob').viewsOf(groupId)).toEqual([]);
    expect(core('bob').session.calls.current()?.state).toBe('connected');
  }, 60_000);

  it('does not let someone other than the call’s peer upgrade it, even with a tag made under the call’s key', async () => {
    const callId = await connectedCall('alice', 'bob');
    // Carol signs, and the tag is right for her as the owner: only the owner check stands in the way.
    const groupId = randomCallId();
    const live = core('bob').session.calls.upgradable(callId);
    if (live === undefined) throw new Error('no live call');
    const tag = await callUpgradeTag(live.upgradeKey, { callId, groupId, owner: 'carol', peer: 'bob' });
    const signed: GroupInvite = { groupId, owner: 'carol', invitees: ['bob', 'dave'], media: 'audio', issuedAt: Date.now(), upgrade: { callId, tag } };
    const message = await forgedRing({ groupId, owner: 'carol', invitees: ['bob', 'dave'], members: ['carol'], media: 'audio', signWith: secretKeyOf('carol'), signed });
    const declines = divertDeclines('bob');
    expect(proxy.inject('bob', message)).toBe(1);
    await vi.waitFor(() => { expect(declines).toEqual([expect.objectContaining({ groupId, reason: 'busy' })]); }, WAIT);
    expect(core('bob').viewsOf(groupId)).toEqual([]);
  }, 60_000);

  it('does not replay an old upgrade into a new call: declined as busy during the call, a plain ring after it', async () => {
    // A real upgrade of call 1, kept by the server instead of relayed.
    const first = await connectedCall('alice', 'bob');
    const creates: Record<string, unknown>[] = [];
    proxy.divertFrom('alice', ['group.create'], (message) => creates.push(message));
    const groupId = randomCallId();
    await core('alice').groups.create({ groupId, invitees: ['bob', 'carol'], media: 'audio', fingerprint: core('alice').fingerprint, upgradeFrom: first });
    const create = creates[0];
    if (create === undefined) throw new Error('no group.create');
    expect(decodeSignedInvite(String(create['invite']), String(create['signature'])).invite.upgrade?.callId).toBe(first);
    core('alice').groups.leave(groupId);
    core('bob').session.calls.hangup(first);

    const second = await connectedCall('alice', 'bob');
    const ring = { v: create['v'], type: 'group.invite', groupId, from: 'alice', media: create['media'], invitees: create['invitees'], members: ['alice'], invite: create['invite'], signature: create['signature'] };
    const declines = divertDeclines('bob');
    expect(proxy.inject('bob', ring)).toBe(1);
    await vi.waitFor(() => { expect(declines).toEqual([expect.objectContaining({ groupId, reason: 'busy' })]); }, WAIT);
    expect(core('bob').viewsOf(groupId)).toEqual([]);
    expect(core('bob').session.calls.current()?.callId).toBe(second);

    // Out of any call, the same invite is only what its signature says: Alice invited Bob. It rings.
    core('bob').session.calls.hangup(second);
    await vi.waitFor(() => { expect(core('bob').session.calls.current()).toBeNull(); }, WAIT);
    expect(proxy.inject('bob', ring)).toBe(1);
    const plain = await core('bob').view(groupId, (view) => view.state === 'incoming', 'incoming');
    expect(plain.upgradeOf).toBeNull();
  }, 120_000);

  it('does not make a third party join unrung: the upgrade ring, relayed to someone in another call, is declined as busy and the owner sees it', async () => {
    const callId = await connectedCall('alice', 'bob');
    const other = await connectedCall('carol', 'dave');
    const groupId = randomCallId();
    await core('alice').groups.create({ groupId, invitees: ['bob', 'carol'], media: 'audio', fingerprint: core('alice').fingerprint, upgradeFrom: callId });
    await core('bob').view(groupId, (view) => view.state === 'incoming' && view.upgradeOf === callId, 'upgrade ring');
    const busy = await core('alice').view(groupId, (view) => view.busy.includes('carol'), 'carol busy');
    expect(busy.declined).not.toContain('carol');
    expect(core('carol').viewsOf(groupId)).toEqual([]);
    expect(core('carol').session.calls.current()?.callId).toBe(other);
  }, 60_000);
});
