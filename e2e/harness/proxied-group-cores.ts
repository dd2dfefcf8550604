import { enrollUser, randomCallId, removeDataDir, startServerProcess, type EnrolledUser, type ServerProcess } from '../../server/test-support/harness.fixture';
import { NodeGroupCore } from './group-cores';
import { TamperingProxy } from './tampering-proxy';

/*
 * A company for core-level group tests: a real server process behind a tampering proxy that every
 * client dials (and signs the URL of), real cores for `users`, and enrolled users without a core
 * (`extra`: someone the server could try to slip in). The proxy relays honestly until told not to.
 */

export interface ProxiedCores {
  proxy: TamperingProxy;
  server: ServerProcess;
  core(userId: string): NodeGroupCore;
  cores(): NodeGroupCore[];
  /** The identity key pair of any user enrolled here, with or without a core. */
  keysOf(userId: string): EnrolledUser['keys'];
  close(): Promise<void>;
}

export async function openProxiedCores(users: readonly string[], extra: readonly string[] = [], serverArgs: readonly string[] = ['--call-grace', '3s']): Promise<ProxiedCores> {
  const proxy = await TamperingProxy.listen();
  const server = await startServerProcess({ args: ['--public-url', proxy.url, '--invite-timeout', '600s', ...serverArgs] });
  proxy.forwardTo(server.wsUrl);
  const enrolled = new Map<string, EnrolledUser>();
  const cores = new Map<string, NodeGroupCore>();
  for (const id of [...users, ...extra]) {
    const user = await enrollUser(server, id);
    user.client.close();
    enrolled.set(id, user);
  }
  for (const [id, user] of enrolled) if (users.includes(id)) cores.set(id, new NodeGroupCore(user, proxy.url));
  const all = [...cores.values()];
  await Promise.all(all.map((c) => c.online));
  await Promise.all(all.map((c) => c.knows([...users, ...extra].filter((id) => id !== c.id))));
  await Promise.all(all.map((c) => c.groups.published()));
  return {
    proxy,
    server,
    core: (userId) => {
      const found = cores.get(userId);
      if (found === undefined) throw new Error(`no core for ${userId}`);
      return found;
    },
    cores: () => all,
    keysOf: (userId) => {
      const user = enrolled.get(userId);
      if (user === undefined) throw new Error(`${userId} is not enrolled`);
      return user.keys;
    },
    close: async () => {
      for (const c of all) await c.close();
      await proxy.close();
      await server.stop();
      removeDataDir(server.dataDir);
    },
  };
}

/**
 * Alice's group call with these invitees, accepted by `joiners` one at a time (each a commit of
 * its own); resolves with its id at the epoch they reach, once every member holds its keys.
 */
export async function aliceCallsGroup(company: ProxiedCores, invitees: readonly string[], joiners: readonly string[], media: 'audio' | 'video'): Promise<{ groupId: string; epoch: number }> {
  const groupId = randomCallId();
  const alice = company.core('alice');
  await alice.groups.create({ groupId, invitees: [...invitees], media, fingerprint: alice.fingerprint });
  let epoch = 0;
  for (const id of joiners) {
    const joiner = company.core(id);
    await joiner.view(groupId, (view) => view.state === 'incoming', 'incoming');
    joiner.groups.accept(groupId, joiner.fingerprint);
    epoch += 1;
    await Promise.all(['alice', ...joiners.slice(0, epoch)].map((member) => company.core(member).keys(groupId, epoch)));
  }
  return { groupId, epoch };
}
