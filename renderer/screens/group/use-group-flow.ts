import { useState } from 'react';
import { MAX_MESH_MEMBERS, type ConnectionState, type Contact, type GroupView } from '../../../shared/ipc';
import type { GroupCallEngine, GroupEngineState, GroupMedia } from '../../call/group/group-engine-types';
import { sentence } from '../../components/sentence';
import { describeIpcError } from '../../hooks/ipc-error';

/** A group call starts with at least 2 others (one other is a 1:1 call). */
export const MIN_GROUP_INVITEES = 2;

/**
 * The most people one group call may hold, the owner included, as the server said when we signed
 * in: 50 where it runs meetings through an SFU, 8 where calls stay a mesh (and from a server too
 * old to say). Offline, nothing starts anyway; the smaller cap keeps the pickers honest.
 */
export function groupCallLimit(connection: ConnectionState | null): number {
  return connection?.state === 'online' ? (connection.groupCallMax ?? MAX_MESH_MEMBERS) : MAX_MESH_MEMBERS;
}

const NO_ENGINE = "Group calls aren't available: Sealcall's call engine did not start. Restart Sealcall; if that doesn't help, contact IT.";

export interface GroupFlow {
  /** The group call on screen (being started, joining, active), or null. */
  live: GroupView | null;
  starting: GroupEngineState['starting'];
  /** A ringing group call, for the dialog. */
  incoming: GroupView | null;
  /** Key-changed contacts still to confirm before the call starts, the first one shown. */
  gate: { contacts: Contact[]; invitees: Contact[]; media: GroupMedia } | null;
  notice: { text: string; tone: 'info' | 'danger' } | null;
  /** A group call is ringing, starting or going on here. */
  busy: boolean;
  start: (invitees: readonly Contact[], media: GroupMedia) => void;
  startAnyway: () => void;
  cancelGate: () => void;
  accept: (media: GroupMedia, confirmKeyChange?: boolean) => Promise<boolean>;
  decline: () => void;
  leave: () => void;
  endForEveryone: () => void;
  invite: (userIds: string[]) => Promise<boolean>;
  remove: (userId: string) => Promise<boolean>;
  /** "Add people" in a connected 1:1 call: it goes on as a group call with its peer and them. */
  upgrade: (call: { callId: string; peerId: string; video: boolean }, userIds: string[]) => Promise<boolean>;
  dismissNotice: () => void;
}

function endText(view: GroupView): string | null {
  switch (view.endReason) {
    case 'ended':
      return view.outgoing ? null : 'The group call was ended by the person who started it.';
    case 'removed':
      return 'You were removed from the group call.';
    case 'empty':
      return 'The group call ended: everyone else left.';
    case 'member-refused':
      return 'You left the group call: a change to the group could not be checked against the safety numbers you hold.';
    case 'refused':
      return 'The group call was refused.';
    case 'timeout':
      return 'Nobody joined the group call.';
    case 'disconnected':
      return 'You were offline longer than the group call waits for someone, and it went on without you.';
    default:
      return null;
  }
}

/**
 * The group call's lifecycle as the screens see it: the engine's view (the core's, followed in
 * order by the GroupCallController) says where the call stands; this adds what only the screens
 * hold (the key-change gate, the notice after an end).
 */
export function useGroupFlow(engine: GroupCallEngine | null, state: GroupEngineState | null, limit: number): GroupFlow {
  const [gate, setGate] = useState<GroupFlow['gate']>(null);
  const [notice, setNotice] = useState<GroupFlow['notice']>(null);
  const [endedShown, setEndedShown] = useState<string | null>(null);
  const view = state?.view ?? null;

  if (view?.state === 'ended' && endedShown !== view.groupId) {
    setEndedShown(view.groupId);
    const text = endText(view);
    if (text !== null) setNotice({ text, tone: view.endReason === 'member-refused' || view.endReason === 'removed' || view.endReason === 'disconnected' ? 'danger' : 'info' });
  }

  const report = (what: string) => (error: unknown) => {
    setNotice({ text: `${what} ${sentence(describeIpcError(error, 'It failed.').message)}`, tone: 'danger' });
  };

  const begin = async (invitees: readonly Contact[], media: GroupMedia, confirmKeyChange: boolean) => {
    if (engine === null) {
      setNotice({ text: NO_ENGINE, tone: 'danger' });
      return;
    }
    setNotice(null);
    try {
      await engine.start(
        invitees.map((contact) => contact.id),
        media,
        confirmKeyChange ? { confirmKeyChange: true } : undefined,
      );
    } catch (error) {
      const { code, message } = describeIpcError(error, 'The group call could not be started.');
      const changed = invitees.filter((contact) => contact.keyChanged || contact.pinLost);
      if (code === 'key-changed' && changed.length > 0) setGate({ contacts: changed, invitees: [...invitees], media });
      else setNotice({ text: `Couldn't start the group call. ${sentence(message)}`, tone: 'danger' });
    }
  };

  const live = view !== null && (view.state === 'joining' || view.state === 'active') ? view : null;
  const incoming = view?.state === 'incoming' && state?.answering !== true ? view : null;

  return {
    live,
    starting: state?.starting ?? null,
    incoming,
    gate,
    notice,
    busy: live !== null || incoming !== null || (state?.starting ?? null) !== null || state?.answering === true,
    start(invitees, media) {
      if (invitees.length < MIN_GROUP_INVITEES || invitees.length > limit - 1) {
        setNotice({ text: `A group call on this server is for ${MIN_GROUP_INVITEES} to ${limit - 1} people besides you.`, tone: 'danger' });
        return;
      }
      const changed = invitees.filter((contact) => contact.keyChanged || contact.pinLost);
      if (changed.length > 0) setGate({ contacts: changed, invitees: [...invitees], media });
      else void begin(invitees, media, false);
    },
    startAnyway() {
      if (gate === null) return;
      const [, ...rest] = gate.contacts;
      if (rest.length > 0) {
        setGate({ ...gate, contacts: rest });
        return;
      }
      setGate(null);
      void begin(gate.invitees, gate.media, true);
    },
    cancelGate() {
      setGate(null);
    },
    async accept(media, confirmKeyChange = false) {
      if (engine === null) {
        setNotice({ text: NO_ENGINE, tone: 'danger' });
        return false;
      }
      try {
        await engine.accept(media, confirmKeyChange ? { confirmKeyChange: true } : undefined);
        return true;
      } catch (error) {
        setNotice({ text: `Couldn't join the group call. ${sentence(describeIpcError(error, 'Joining failed.').message)}`, tone: 'danger' });
        return false;
      }
    },
    decline() {
      void engine?.decline().catch(report("Couldn't decline the group call."));
    },
    leave() {
      void engine?.leave().catch(report("Couldn't leave the group call."));
    },
    endForEveryone() {
      void engine?.endForEveryone().catch(report("Couldn't end the group call."));
    },
    async invite(userIds) {
      if (engine === null) return false;
      try {
        await engine.invite(userIds);
        return true;
      } catch (error) {
        report("Couldn't add them to the call.")(error);
        return false;
      }
    },
    async remove(userId) {
      if (engine === null) return false;
      try {
        await engine.remove(userId);
        return true;
      } catch (error) {
        report("Couldn't remove them from the call.")(error);
        return false;
      }
    },
    async upgrade(call, userIds) {
      if (engine === null) {
        setNotice({ text: NO_ENGINE, tone: 'danger' });
        return false;
      }
      try {
        await engine.start([call.peerId, ...userIds], call.video ? 'video' : 'audio', { upgradeFrom: call.callId });
        return true;
      } catch (error) {
        report("Couldn't add them to the call.")(error);
        return false;
      }
    },
    dismissNotice() {
      setNotice(null);
    },
  };
}
