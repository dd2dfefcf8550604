import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupEvent, GroupSeat, GroupView, JanusAnswer, JanusCall } from '../../shared/ipc';
import { janusMessagesOf } from '../../shared/janus-http';
import { newCallId } from '../../shared/protocol';
import { removeDataDir, runCli, startServerProcess, type ServerProcess } from '../../server/test-support/harness.fixture';
import { janusMissingReason, startJanus, type JanusProcess } from '../../server/test-support/janus.fixture';
import { JanusFront } from './test-support/janus-front.fixture';
import { enrolledHost, type UserHost } from './test-support/user-host.fixture';

/*
 * `group.janus` over the host's IPC path (docs/protocol.md, "Reaching Janus from the app"): real
 * hosts against a real server process and a real Janus. The seat's URL points at a loopback HTTP
 * server in front of Janus (janus-front.fixture.ts), which passes requests on and records them,
 * or misbehaves as the test asks. The core must send each request there only, with the seat's
 * token, and turn everything that is not Janus's API into `sfu-unreachable`, bounded.
 */

const missing = janusMissingReason();
const WAIT_MS = 30_000;
const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const transaction = () => randomBytes(9).toString('hex');

describe.skipIf(missing !== undefined)(`group.janus against a real Janus${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let front: JanusFront;
  let server: ServerProcess;
  const hosts: UserHost[] = [];
  let alice: UserHost;
  let bob: UserHost;
  let carol: UserHost;

  async function enrolledUser(userId: string): Promise<UserHost> {
    const result = await runCli(['invite', userId, '--name', userId, '--data-dir', server.dataDir]);
    const link = /sealcall:\/\/enroll\?\S+/.exec(result.stdout)?.[0];
    if (!link) throw new Error(`no link in: ${result.stdout} ${result.stderr}`);
    return enrolledHost(link, hosts, userId, WAIT_MS);
  }

  function groupEvent<K extends GroupEvent['kind']>(user: UserHost, groupId: string, kind: K, test: (event: Extract<GroupEvent, { kind: K }>) => boolean = () => true) {
    return user.waitFor('group.event', (event) => event.groupId === groupId && event.kind === kind && test(event as Extract<GroupEvent, { kind: K }>), WAIT_MS) as Promise<Extract<GroupEvent, { kind: K }>>;
  }
  const viewOf = async (user: UserHost, groupId: string, test: (view: GroupView) => boolean) => (await groupEvent(user, groupId, 'view', (event) => test(event.view))).view;
  const seatsOf = (user: UserHost, groupId: string): GroupSeat[] =>
    user.seen('group.event').flatMap((event) => (event.groupId === groupId && event.kind === 'seat' ? [event.seat] : []));

  async function startGroup(members: UserHost[]): Promise<string> {
    const [owner, ...joiners] = members;
    if (owner === undefined) throw new Error('no owner');
    const groupId = newCallId();
    await owner.call('group.start', { groupId, invitees: joiners.map((user) => user.name), media: 'video', fingerprint: FP('A1'), confirmKeyChange: false });
    for (const [index, user] of joiners.entries()) {
      await viewOf(user, groupId, (view) => view.state === 'incoming');
      await user.call('group.accept', { groupId, fingerprint: FP(`B${String(index)}`) });
    }
    for (const user of members) await viewOf(user, groupId, (view) => view.state === 'active' && view.members.filter((member) => member.index !== null).length === members.length);
    return groupId;
  }

  type Message = Record<string, unknown> & { janus?: string; data?: { id?: number } };
  const relay = async (user: UserHost, groupId: string, call: JanusCall): Promise<Message[]> => janusMessagesOf((await user.call('group.janus', { groupId, call })) as JanusAnswer) as Message[];
  const refusal = async (promise: Promise<unknown>): Promise<{ code: string; message: string }> => {
    try {
      await promise;
    } catch (error) {
      return { code: (error as { code?: string }).code ?? 'none', message: error instanceof Error ? error.message : String(error) };
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    janus = await startJanus();
    front = await JanusFront.start(janus.apiUrl);
    server = await startServerProcess({
      args: ['--call-grace', '3s', '--janus-url', janus.apiUrl, '--janus-public-url', front.url, '--janus-secrets-file', janus.secretsFile, '--mesh-max', '2'],
    });
    alice = await enrolledUser('alice');
    bob = await enrolledUser('bob');
    carol = await enrolledUser('carol');
    for (const user of [alice, bob, carol]) {
      const others = ['alice', 'bob', 'carol'].filter((id) => id !== user.name);
      await user.waitFor('contacts.changed', (contacts) => others.every((id) => contacts.some((contact) => contact.id === id)), WAIT_MS);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(hosts.map((user) => user.close()));
    await server.stop();
    removeDataDir(server.dataDir);
    await front.close();
    await janus.stop();
  });

  it('refuses bad input at the gate: bad ids, paths or URLs in fields, a token from the page, an oversized SDP, an unknown kind', async () => {
    const groupId = newCallId();
    const tx = transaction();
    const bad: [string, unknown][] = [
      ['an unknown kind', { kind: 'admin', transaction: tx }],
      ['no kind', { session: 1, transaction: tx }],
      ['a session id of 0', { kind: 'attach', session: 0, transaction: tx }],
      ['a negative session id', { kind: 'attach', session: -5, transaction: tx }],
      ['a fractional handle', { kind: 'detach', session: 1, handle: 1.5, transaction: tx }],
      ['a session id past 2^53', { kind: 'keepalive', session: 2 ** 53, transaction: tx }],
      ['a path as the session', { kind: 'poll', session: '1/../admin' }],
      ['a path as the handle', { kind: 'detach', session: 1, handle: '2?token=x', transaction: tx }],
      ['a URL field', { kind: 'create', transaction: tx, url: 'http://127.0.0.1:7088/admin' }],
      ['a path field', { kind: 'create', transaction: tx, path: '/admin' }],
      ['a plugin named by the page', { kind: 'attach', session: 1, transaction: tx, plugin: 'janus.plugin.streaming' }],
      ['a token from the page', { kind: 'create', transaction: tx, token: 'page-token' }],
      ['an admin secret from the page', { kind: 'create', transaction: tx, admin_secret: 'x' }],
      ['a transaction with a slash', { kind: 'create', transaction: 'abcdef01/23' }],
      ['a transaction too long', { kind: 'create', transaction: 'a'.repeat(65) }],
      ['a poll with a transaction', { kind: 'poll', session: 1, transaction: tx }],
      ['an oversized SDP', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'start' }, jsep: { type: 'answer', sdp: 'v'.repeat(200_001) } }],
      ['an unknown SDP type', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'start' }, jsep: { type: 'pranswer', sdp: 'v=0' } }],
      ['a body that is a list', { kind: 'message', session: 1, handle: 2, transaction: tx, body: [1, 2] }],
      ['a VideoRoom request the app never makes', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'kick', room: 1, id: 2 } }],
      ['a room secret in a body', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'join', secret: 'x' } }],
      ['a nested body', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'update', subscribe: [{ feed: 1, more: [[[]]] }] } }],
      ['too many feeds', { kind: 'message', session: 1, handle: 2, transaction: tx, body: { request: 'update', subscribe: Array.from({ length: 65 }, (_, i) => ({ feed: i + 1 })) } }],
    ];
    for (const [what, call] of bad) expect(await refusal(alice.call('group.janus', { groupId, call })), what).toMatchObject({ code: 'bad-request' });
    expect(await refusal(alice.call('group.janus', { groupId: '../x', call: { kind: 'create', transaction: tx } })), 'a bad group id').toMatchObject({ code: 'bad-request' });
    expect(front.seen).toEqual([]);
  });

  it('refuses a group this device is not in, and a call that runs on the mesh', async () => {
    expect(await refusal(relay(alice, newCallId(), { kind: 'create', transaction: transaction() }))).toMatchObject({ code: 'no-such-group' });
    const groupId = await startGroup([alice, bob]);
    expect((await viewOf(alice, groupId, (view) => view.state === 'active')).transport).toBe('mesh');
    expect(await refusal(relay(alice, groupId, { kind: 'create', transaction: transaction() }))).toMatchObject({ code: 'no-such-group', message: expect.stringContaining('does not go through the meeting server') as unknown });
    expect(await refusal(relay(carol, groupId, { kind: 'create', transaction: transaction() }))).toMatchObject({ code: 'no-such-group' });
    await alice.call('group.end', { groupId });
    await viewOf(bob, groupId, (view) => view.state === 'ended');
    expect(await refusal(relay(alice, groupId, { kind: 'create', transaction: transaction() }))).toMatchObject({ code: 'no-such-group' });
    expect(front.seen).toEqual([]);
  }, 120_000);

  describe('a call over the SFU', () => {
    let groupId: string;
    const seat = (user: UserHost): GroupSeat => {
      const last = seatsOf(user, groupId).at(-1);
      if (last === undefined) throw new Error(`${user.name} has no seat`);
      return last;
    };

    beforeAll(async () => {
      groupId = await startGroup([alice, bob, carol]);
      for (const user of [alice, bob, carol]) await groupEvent(user, groupId, 'seat');
    }, 120_000);

    afterAll(async () => {
      alice.groupTuning.janus = undefined;
      await alice.call('group.end', { groupId }).catch(() => undefined);
    });

    it("carries a whole VideoRoom join to the seat's URL only, with the seat's token and the videoroom plugin", async () => {
      front.mode = 'pass';
      front.seen.length = 0;
      const created = await relay(alice, groupId, { kind: 'create', transaction: transaction() });
      const session = created[0]?.data?.id;
      expect(created[0]?.janus).toBe('success');
      if (session === undefined) throw new Error('no session');
      const attached = await relay(alice, groupId, { kind: 'attach', session, transaction: transaction() });
      const handle = attached[0]?.data?.id;
      if (handle === undefined) throw new Error('no handle');
      const { room, participantId, roomToken } = seat(alice);
      const tx = transaction();
      const acked = await relay(alice, groupId, { kind: 'message', session, handle, transaction: tx, body: { request: 'join', ptype: 'publisher', room, id: participantId, token: roomToken, display: 'alice' } });
      expect(acked[0]?.janus).toBe('ack');
      // Janus's answer to the join comes as an event, through the long poll.
      let joined: unknown;
      for (let polls = 0; joined === undefined && polls < 5; polls += 1) {
        const events = await relay(alice, groupId, { kind: 'poll', session });
        joined = events.find((message) => message['transaction'] === tx);
      }
      expect(joined).toMatchObject({ janus: 'event', sender: handle, plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'joined', room, id: participantId } } });
      expect((await relay(alice, groupId, { kind: 'keepalive', session, transaction: transaction() }))[0]?.janus).toBe('ack');
      expect((await relay(alice, groupId, { kind: 'detach', session, handle, transaction: transaction() }))[0]?.janus).toBe('success');
      expect((await relay(alice, groupId, { kind: 'destroy', session, transaction: transaction() }))[0]?.janus).toBe('success');

      const { token } = seat(alice);
      const base = new URL(front.url).pathname;
      expect(front.seen.map((request) => [request.method, request.path])).toEqual([
        ['POST', base],
        ['POST', `${base}/${String(session)}`],
        ['POST', `${base}/${String(session)}/${String(handle)}`],
        ...front.seen.filter((request) => request.method === 'GET').map(() => ['GET', `${base}/${String(session)}`]),
        ['POST', `${base}/${String(session)}`],
        ['POST', `${base}/${String(session)}/${String(handle)}`],
        ['POST', `${base}/${String(session)}`],
      ]);
      // The seat's token on every request: the page never had a say (it cannot even send one).
      expect(front.seen.every((request) => request.token === token)).toBe(true);
      expect(front.seen[1]?.body).toMatchObject({ janus: 'attach', plugin: 'janus.plugin.videoroom' });
    }, 120_000);

    it('turns an HTML page, broken JSON, JSON that is not Janus, an oversized answer, a redirect and a dropped connection into sfu-unreachable, with no token in the message', async () => {
      const cases: [FrontModeCase, RegExp][] = [
        ['html', /HTTP 502 with text\/html, not Janus's JSON/],
        ['not-json', /not JSON/],
        ['not-janus', /not Janus's API/],
        ['huge', /more than 1048576 bytes/],
        ['redirect', /cannot be reached/],
        ['drop', /cannot be reached/],
      ];
      for (const [mode, message] of cases) {
        front.mode = mode;
        for (const call of [{ kind: 'create', transaction: transaction() }, { kind: 'poll', session: 1 }] as const) {
          const error = await refusal(relay(alice, groupId, call));
          expect(error, `${mode} ${call.kind}`).toMatchObject({ code: 'sfu-unreachable' });
          expect(error.message, `${mode} ${call.kind}`).toMatch(message);
          expect(error.message).not.toContain(seat(alice).token);
        }
      }
      front.mode = 'pass';
      expect((await relay(alice, groupId, { kind: 'create', transaction: transaction() }))[0]?.janus).toBe('success');
    }, 120_000);

    it('gives up on a Janus that does not answer, after its timeout', async () => {
      front.mode = 'hang';
      alice.groupTuning.janus = { postTimeoutMs: 1_000, pollTimeoutMs: 1_500 };
      const started = Date.now();
      const post = await refusal(relay(alice, groupId, { kind: 'create', transaction: transaction() }));
      const poll = await refusal(relay(alice, groupId, { kind: 'poll', session: 1 }));
      console.log(`a hung Janus: refused after ${String(Date.now() - started)} ms for a post (1 s) and a poll (1.5 s)`);
      expect(post).toMatchObject({ code: 'sfu-unreachable', message: expect.stringContaining('did not answer within 1 s') as unknown });
      expect(poll).toMatchObject({ code: 'sfu-unreachable', message: expect.stringContaining('did not answer within 1.5 s') as unknown });
      await expect.poll(() => front.open, { timeout: WAIT_MS }).toBe(0);
      alice.groupTuning.janus = undefined;
      front.mode = 'pass';
    }, 60_000);

    it('holds at most 2 polls and 16 other requests in flight per call, refuses more at once, and aborts them all when the call ends', async () => {
      front.mode = 'hang';
      // Far beyond this test's own limit: only the abort at the call's end can settle them in time.
      for (const user of [bob, carol]) user.groupTuning.janus = { postTimeoutMs: 600_000, pollTimeoutMs: 600_000 };
      const before = front.open;
      const others = Array.from({ length: 16 }, () => refusal(relay(bob, groupId, { kind: 'keepalive', session: 1, transaction: transaction() })));
      const polls = Array.from({ length: 2 }, () => refusal(relay(bob, groupId, { kind: 'poll', session: 1 })));
      await expect.poll(() => front.open - before, { timeout: WAIT_MS }).toBe(18);
      expect(await refusal(relay(bob, groupId, { kind: 'keepalive', session: 1, transaction: transaction() }))).toMatchObject({ code: 'sfu-unreachable', message: expect.stringContaining('too many requests') as unknown });
      expect(await refusal(relay(bob, groupId, { kind: 'poll', session: 1 }))).toMatchObject({ code: 'sfu-unreachable', message: expect.stringContaining('too many requests') as unknown });
      expect(front.open - before).toBe(18);
      // Another member's core has its own budget.
      const carols = refusal(relay(carol, groupId, { kind: 'poll', session: 1 }));
      await expect.poll(() => front.open - before, { timeout: WAIT_MS }).toBe(19);

      await bob.call('group.leave', { groupId });
      const refused = await Promise.all([...others, ...polls]);
      expect(new Set(refused.map((error) => error.code))).toEqual(new Set(['sfu-unreachable']));
      await expect.poll(() => front.open - before, { timeout: WAIT_MS }).toBe(1);
      await carol.call('group.leave', { groupId });
      expect(await carols).toMatchObject({ code: 'sfu-unreachable' });
      await expect.poll(() => front.open, { timeout: WAIT_MS }).toBe(0);
      expect(await refusal(relay(bob, groupId, { kind: 'poll', session: 1 }))).toMatchObject({ code: 'no-such-group' });
      for (const user of [bob, carol]) user.groupTuning.janus = undefined;
      front.mode = 'pass';
    }, 90_000);
  });
});

type FrontModeCase = JanusFront['mode'];
