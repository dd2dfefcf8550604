import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { type Contact, type GroupView, type SealcallBridge } from '../../../shared/ipc';
import type { GroupCallEngine, GroupEngineState } from '../../call/group/group-engine-types';
import { Modal } from '../../components/Modal';
import { ConfirmDanger } from './ConfirmDanger';
import { firstName } from '../../components/sentence';
import { SafetyNumber } from '../SafetyNumber';
import { ScreenPicker } from '../share/ScreenPicker';
import { AddPeopleDialog } from './AddPeopleDialog';
import { GroupCallScreen, type GroupCallParticipant, type GroupEncryption } from './GroupCallScreen';
import type { GroupNotice, TileConnection } from './group-call-text';
import { shortNames } from './participant-order';
import { newlyRaised } from './hand-notices';
import type { Invitee } from './participant-sections';
import { useActiveSpeaker } from './use-active-speaker';

interface GroupCallProps {
  bridge: SealcallBridge;
  engine: GroupCallEngine;
  state: GroupEngineState;
  /** The call on screen (joining or active). */
  view: GroupView;
  /** The most people this call may hold (the server's cap, see groupCallLimit). */
  groupCallMax: number;
  self: { userId: string; displayName: string };
  contacts: readonly Contact[];
  audioOutputId: string;
  onLeave: () => void;
  onEndForEveryone: () => void;
  onInvite: (userIds: string[]) => Promise<boolean>;
  /** The owner takes a member out; resolves false when that failed (the parent says why). */
  onRemove: (userId: string) => Promise<boolean>;
}

function connectionOf(remote: GroupEngineState['remote'][number] | undefined, encryption: GroupEngineState['encryption']): TileConnection {
  if (remote === undefined || (!remote.connected && !remote.reconnecting)) return 'connecting';
  if (remote.reconnecting) return 'reconnecting';
  return encryption === 'cant-decrypt' ? 'cant-decrypt' : 'connected';
}

/** Who joined and who left between two views of the call (yourself left out); `removed` are those you took out. */
function membershipNotices(
  before: GroupView,
  after: GroupView,
  selfId: string,
  names: ReadonlyMap<string, string>,
  removed: ReadonlySet<string>,
  next: () => string,
): GroupNotice[] {
  const had = new Set(before.members.map((member) => member.userId));
  const has = new Set(after.members.map((member) => member.userId));
  const notices: GroupNotice[] = [];
  for (const userId of has) if (!had.has(userId) && userId !== selfId) notices.push({ id: next(), kind: 'joined', name: names.get(userId) ?? userId });
  for (const userId of had) {
    if (!has.has(userId) && userId !== selfId) notices.push({ id: next(), kind: removed.has(userId) ? 'removed' : 'left', name: names.get(userId) ?? userId });
  }
  const wasBusy = new Set(before.busy ?? []);
  for (const userId of after.busy ?? []) if (!wasBusy.has(userId)) notices.push({ id: next(), kind: 'busy', name: names.get(userId) ?? userId });
  return notices;
}

/**
 * The group call screen fed by the group engine: members from the core's view, media and
 * connection from the mesh, names and trust from the contact list, the active speaker from each
 * member's audio level.
 */
export function GroupCall({ bridge, engine, state, view, groupCallMax, self, contacts, audioOutputId, onLeave, onEndForEveryone, onInvite, onRemove }: GroupCallProps) {
  const ids = useId();
  const [notices, setNotices] = useState<GroupNotice[]>([]);
  const [adding, setAdding] = useState(false);
  const [picking, setPicking] = useState(false);
  const [shareRefused, setShareRefused] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const removed = useRef(new Set<string>());
  const [safetyFor, setSafetyFor] = useState<string | null>(null);
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const previous = useRef<GroupView | null>(null);
  const noticeCount = useRef(0);
  /** The name each member had on its tile: one who left is named in the notice as they were shown. */
  const shownNames = useRef(new Map<string, string>());

  const contactOf = useCallback((userId: string) => contacts.find((contact) => contact.id === userId), [contacts]);

  const participants = useMemo<GroupCallParticipant[]>(() => {
    const list: GroupCallParticipant[] = [
      {
        userId: self.userId,
        displayName: self.displayName,
        self: true,
        owner: view.owner === self.userId,
        verified: false,
        keyChanged: false,
        stream: state.localStream,
        muted: state.muted,
        cameraOff: state.cameraOff,
        sharing: state.sharing,
        connection: 'connected',
        handOrder: state.hands.get(self.userId) ?? null,
      },
    ];
    for (const member of view.members) {
      if (member.userId === self.userId) continue;
      const contact = contactOf(member.userId);
      const remote = state.remote.find((candidate) => candidate.userId === member.userId);
      // What they sent through the core (MLS-authenticated) wins over the mesh's data channel; over
      // the SFU it is all there is.
      const said = state.memberStates.get(member.userId);
      list.push({
        userId: member.userId,
        displayName: contact?.displayName ?? member.userId,
        self: false,
        owner: view.owner === member.userId,
        verified: contact?.verified ?? false,
        keyChanged: view.keyChanged.includes(member.userId) || (contact?.keyChanged ?? false) || (contact?.pinLost ?? false),
        stream: remote?.stream ?? null,
        muted: said?.muted ?? remote?.muted ?? false,
        cameraOff: said?.cameraOff ?? remote?.cameraOff ?? true,
        sharing: said?.sharing ?? remote?.sharing ?? false,
        connection: connectionOf(remote, state.encryption),
        handOrder: state.hands.get(member.userId) ?? null,
      });
    }
    return list;
  }, [self, view, state, contactOf]);

  const invitees = useMemo<Invitee[]>(() => {
    const absent = (userId: string): Invitee['absence'] => {
      if (view.declined.includes(userId)) return 'declined';
      if ((view.busy ?? []).includes(userId)) return 'busy';
      return view.unavailable.includes(userId) ? 'unavailable' : null;
    };
    const inCall = new Set(view.members.map((member) => member.userId));
    return view.invitees
      .filter((userId) => !inCall.has(userId) && userId !== self.userId)
      .map((userId) => ({ userId, displayName: contactOf(userId)?.displayName ?? userId, absence: absent(userId) }));
  }, [view, self.userId, contactOf]);

  // "Dana raised their hand", for each hand that goes up (yours is not announced to you).
  const previousHands = useRef<{ groupId: string; hands: ReadonlyMap<string, number> } | null>(null);
  useEffect(() => {
    const before = previousHands.current;
    previousHands.current = { groupId: view.groupId, hands: state.hands };
    if (before === null || before.groupId !== view.groupId) return;
    const names = shortNames(participants);
    const raised = newlyRaised(before.hands, state.hands, self.userId).map(
      (userId): GroupNotice => ({ id: `${view.groupId}-${String((noticeCount.current += 1))}`, kind: 'hand', name: names.get(userId) ?? userId }),
    );
    if (raised.length > 0) setNotices((current) => [...current, ...raised].slice(-20));
  }, [state.hands, view.groupId, participants, self.userId]);

  const onVisibleMembers = useCallback(
    (userIds: readonly string[]) => {
      engine.setVisibleMembers(userIds);
    },
    [engine],
  );

  // Notices of who joined and left, from one view to the next.
  useEffect(() => {
    for (const [userId, name] of shortNames(participants)) shownNames.current.set(userId, name);
    const before = previous.current;
    previous.current = view;
    if (before === null || before.groupId !== view.groupId) return;
    // Someone busy was never in the call: their name comes from the contact list.
    const names = new Map([...contacts.map((contact) => [contact.id, contact.displayName] as const), ...shownNames.current]);
    const added = membershipNotices(before, view, self.userId, names, removed.current, () => `${view.groupId}-${String((noticeCount.current += 1))}`);
    if (added.length > 0) setNotices((current) => [...current, ...added].slice(-20));
  }, [view, participants, self.userId, contacts]);

  const anyConnected = state.remote.some((remote) => remote.connected);
  useEffect(() => {
    if (anyConnected && connectedAt === null) setConnectedAt(Date.now());
  }, [anyConnected, connectedAt]);

  const readLevels = useCallback(() => engine.audioLevels(), [engine]);
  const activeSpeaker = useActiveSpeaker(state.remote.length > 0 ? readLevels : null);

  const encryption: GroupEncryption = state.encryption === 'idle' ? 'setting-up' : state.encryption;
  const owner = contactOf(view.owner);
  const title = view.owner === self.userId ? 'Your group call' : `${firstName(owner?.displayName ?? view.owner)}'s call`;
  const inCall = new Set([...view.members.map((member) => member.userId), ...view.invitees, view.owner]);
  const candidates = contacts.filter((contact) => !inCall.has(contact.id));
  const safetyContact = safetyFor === null ? undefined : contactOf(safetyFor);
  const names = shortNames(participants);
  const remoteSharer = participants.find((member) => !member.self && member.sharing);
  const removingName = removing === null ? null : (names.get(removing) ?? removing);

  // The refusal holds only while that share lasts: once it stops, sharing is open to everyone again.
  const sharerId = remoteSharer?.userId ?? null;
  useEffect(() => {
    if (sharerId === null) setShareRefused(null);
  }, [sharerId]);

  return (
    <>
      <GroupCallScreen
        title={title}
        connectedAt={connectedAt}
        participants={participants}
        invitees={invitees}
        onVisibleMembers={onVisibleMembers}
        onRaiseHand={(raised) => {
          engine.setHandRaised(raised);
        }}
        activeSpeaker={activeSpeaker}
        securityCode={view.securityCode}
        encryption={encryption}
        notices={notices}
        error={shareRefused ?? state.error}
        audioOutputId={audioOutputId}
        controlsEnabled={state.localStream !== null}
        onMuted={(muted) => {
          engine.setMuted(muted);
        }}
        onCameraOff={(off) => {
          engine.setCameraOff(off);
        }}
        onShareScreen={() => {
          if (state.sharing) {
            void engine.stopScreenShare().catch(() => undefined);
          } else if (remoteSharer !== undefined) {
            // One sharer at a time (docs/group-calls.md, "The mesh"): said before the picker, not after a pick.
            setShareRefused(`${names.get(remoteSharer.userId) ?? remoteSharer.displayName} is sharing their screen. Only one person can share at a time: you can share once they stop.`);
          } else {
            setShareRefused(null);
            setPicking(true);
          }
        }}
        onLeave={onLeave}
        onEndForEveryone={onEndForEveryone}
        onAddPeople={
          view.owner === self.userId
            ? () => {
                setAdding(true);
              }
            : undefined
        }
        onShowSafetyNumber={setSafetyFor}
        onRemove={view.owner === self.userId ? setRemoving : undefined}
      />
      {picking && (
        <ScreenPicker
          bridge={bridge}
          engine={engine}
          peerName="everyone in the call"
          onClose={() => {
            setPicking(false);
          }}
        />
      )}
      {removing !== null && removingName !== null && (
        <ConfirmDanger
          title={`Remove ${removingName} from the call?`}
          text={`${removingName} is disconnected at once and can't come back unless you add them again. Everyone else gets a new group security code.`}
          confirmLabel="Remove"
          onCancel={() => {
            setRemoving(null);
          }}
          onConfirm={() => {
            const userId = removing;
            setRemoving(null);
            removed.current.add(userId);
            void onRemove(userId).then((ok) => {
              if (!ok) removed.current.delete(userId);
            });
          }}
        />
      )}
      {adding && (
        <AddPeopleDialog
          candidates={candidates}
          room={Math.max(0, groupCallMax - view.members.length - view.invitees.filter((userId) => !view.members.some((member) => member.userId === userId)).length)}
          onAdd={onInvite}
          onClose={() => {
            setAdding(false);
          }}
        />
      )}
      {safetyContact !== undefined && (
        <Modal
          labelledBy={`${ids}-safety`}
          onDismiss={() => {
            setSafetyFor(null);
          }}
        >
          <span id={`${ids}-safety`} className="visually-hidden">
            Safety number with {safetyContact.displayName}
          </span>
          <SafetyNumber
            bridge={bridge}
            contact={safetyContact}
            onBack={() => {
              setSafetyFor(null);
            }}
          />
        </Modal>
      )}
    </>
  );
}
