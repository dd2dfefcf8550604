import { toBase64Url } from '../../../shared/crypto/bytes';
import type { GroupEvent, GroupView } from '../../../shared/ipc';
import type { GroupCallEvent, GroupCallView } from './group-call-events';

/** The view as the IPC contract types it (plain arrays). */
export function groupViewToWire(view: GroupCallView): GroupView {
  return { ...view, invitees: [...view.invitees], members: view.members.map((member) => ({ ...member })), unavailable: [...view.unavailable], declined: [...view.declined], keyChanged: [...view.keyChanged], busy: [...view.busy] };
}

/**
 * A group-call event as it crosses IPC. The epoch's base key becomes text for the renderer's
 * frame-crypto worker (the one group secret that leaves the core) and the core's copy is zeroed.
 */
export function groupEventToWire(event: GroupCallEvent): GroupEvent {
  switch (event.kind) {
    case 'view':
      return { kind: 'view', groupId: event.groupId, seq: event.seq, view: groupViewToWire(event.view) };
    case 'keys': {
      const { epoch, ownIndex, baseKey, senders } = event.keys;
      const wire: GroupEvent = { kind: 'keys', groupId: event.groupId, seq: event.seq, keys: { epoch, ownIndex, baseKey: toBase64Url(baseKey), senders: senders.map((sender) => ({ ...sender })) } };
      baseKey.fill(0);
      return wire;
    }
    case 'refused':
      return {
        kind: 'refused',
        groupId: event.groupId,
        seq: event.seq,
        code: event.code,
        message: event.message.slice(0, 500),
        ...(event.userId === undefined ? {} : { userId: event.userId }),
      };
    case 'signal':
      return { kind: 'signal', groupId: event.groupId, seq: event.seq, from: event.from, data: event.data };
    case 'seat':
      return { kind: 'seat', groupId: event.groupId, seq: event.seq, seat: { ...event.seat } };
    case 'member':
      return { kind: 'member', groupId: event.groupId, seq: event.seq, userId: event.userId, state: { ...event.state } };
  }
}
