/**
 * A child process holding one member's core for the rekey benchmark (started by
 * group-rekey-forked.ts): as on a laptop, each member's ts-mls, libsodium and server link run on
 * their own thread with their own heap. It answers the parent's calls and reports each commit it
 * sends, with the time it left.
 */
import { isToChild, type FromChild, type MemberCall } from './group-rekey-rpc';
import { LocalRekeyMember, type Arrival, type Keyed } from './group-rekey-member';

const send = (message: FromChild): void => {
  process.send?.(message);
};

let member: LocalRekeyMember | undefined;

async function run(current: LocalRekeyMember, call: MemberCall): Promise<Keyed | Arrival | null | undefined> {
  switch (call.op) {
    case 'keysAt':
      return current.keysAt(call.groupId, call.epoch);
    case 'arrivalOf':
      return current.arrivalOf(call.groupId, call.epoch);
    case 'ready':
      await current.ready(call.others);
      return undefined;
    case 'create':
      await current.create(call.groupId, call.invitees);
      return undefined;
    case 'ringing':
      await current.ringing(call.groupId);
      return undefined;
    case 'accept':
      await current.accept(call.groupId);
      return undefined;
    case 'leave':
      await current.leave(call.groupId);
      return undefined;
    case 'end':
      await current.end(call.groupId);
      return undefined;
    case 'forget':
      await current.forget();
      return undefined;
    case 'close':
      await current.close();
      return undefined;
  }
}

process.on('message', (message: unknown) => {
  if (!isToChild(message)) {
    process.stderr.write('group-rekey-child: a malformed message from the parent, ignored\n');
    return;
  }
  if (message.kind === 'start') {
    const { userId, keys, serverUrl } = message.start;
    member = new LocalRekeyMember({ userId, keys }, serverUrl, (groupId, epoch, at) => {
      send({ kind: 'sent', groupId, epoch, at });
    });
    return;
  }
  const { ref, call } = message;
  if (member === undefined) {
    send({ kind: 'failed', ref, error: 'called before start' });
    return;
  }
  run(member, call).then(
    (value) => {
      send({ kind: 'answer', ref, value });
      // The last call: with the session closed and the channel gone, nothing keeps the process up.
      if (call.op === 'close') process.disconnect();
    },
    (error: unknown) => {
      send({ kind: 'failed', ref, error: error instanceof Error ? error.message : String(error) });
    },
  );
});

// Told only once the handler above is in place, so that the parent's first message is not lost.
send({ kind: 'listening' });
// The bench is gone (finished or crashed): this member goes too rather than linger as an orphan.
process.on('disconnect', () => {
  process.exit(0);
});
