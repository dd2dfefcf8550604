import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { MAX_GROUP_MEMBERS, type Contact, type GroupView, type SealcallBridge } from '../../../shared/ipc';
import type { GroupCallEngine, GroupEngineState } from '../../call/group/group-engine-types';
import { Modal } from '../../components/Modal';
import { firstName } from '../../components/sentence';
import { SafetyNumber } from '../SafetyNumber';
import { AddPeopleDialog } from './AddPeopleDialog';
import { GroupCallScreen, type GroupCallParticipant, type GroupEncryption } from './GroupCallScreen';
import type { GroupNotice, TileConnection } from './group-call-text';
import { shortNames } from './participant-order';
import { useActiveSpeaker } from './use-active-speaker';

interface GroupCallProps {
  bridge: SealcallBridge;
  engine: GroupCallEngine;
  state: GroupEngineState;
  /** The call on screen (joining or active). */
  view: GroupView;
  self: { userId: string; displayName: string };
  contacts: readonly Contact[];
  audioOutputId: string;
  onLeave: () => void;
  onEndForEveryone: () => void;
  onInvite: (userIds: string[]) => Promise<boolean>;
}

function connectionOf(remote: GroupEngineState['remote'][number] | undefined, encryption: GroupEngineState['encryption']): TileConnection {
  if (remote === undefined || (!remote.connected && !remote.reconnecting)) return 'connecting';
  if (remote.reconnecting) return 'reconnecting';
  return encryption === 'cant-decrypt' ? 'cant-decrypt' : 'connected';
}

/** Who joined and who left between two views of the call (yourself left out). */
function membershipNotices(before: GroupView, after: GroupView, selfId: string, names: ReadonlyMap<string, string>, next: () => string): GroupNotice[] {
  const had = new Set(before.members.map((member) => member.userId));
  const has = new Set(after.members.map((member) => member.userId));
  const notices: GroupNotice[] = [];
  for (const userId of has) if (!had.has(userId) && userId !== selfId) notices.push({ id: next(), kind: 'joined', name: names.get(userId) ?? userId });
  for (const userId of had) if (!has.has(userId) && userId !== selfId) notices.push({ id: next(), kind: 'left', name: names.get(userId) ?? userId });
  const wasBusy = new Set(before.busy ?? []);
  for (const userId of after.busy ?? []) if (!wasBusy.has(userId)) notices.push({ id: next(), kind: 'busy', name: names.get(userId) ?? userId });
  return notices;
}

/**
 * The group call screen fed by the group engine: members from the core's view, media and
 * connection from the mesh, names and trust from the contact list, the active speaker from each
 * member's audio level.
 */
export function GroupCall({ bridge, engine, state, view, self, contacts, audioOutputId, onLeave, onEndForEveryone, onInvite }: GroupCallProps) {
  const ids = useId();
  const [notices, setNotices] = useState<GroupNotice[]>([]);
  const [adding, setAdding] = useState(false);
  const [safetyFor, setSafetyFor] = useState<string | null>(null);
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const previous = useRef<GroupView | null>(null);
  const noticeCount = useRef(0);

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
      },
    ];
    for (const member of view.members) {
      if (member.userId === self.userId) continue;
      const contact = contactOf(member.userId);
      const remote = state.remote.find((candidate) => candidate.userId === member.userId);
      list.push({
        userId: member.userId,
        displayName: contact?.displayName ?? member.userId,
        self: false,
        owner: view.owner === member.userId,
        verified: contact?.verified ?? false,
        keyChanged: view.keyChanged.includes(member.userId) || (contact?.keyChanged ?? false) || (contact?.pinLost ?? false),
        stream: remote?.stream ?? null,
        muted: remote?.muted ?? false,
        cameraOff: remote?.cameraOff ?? true,
        sharing: remote?.sharing ?? false,
        connection: connectionOf(remote, state.encryption),
      });
    }
    return list;
  }, [self, view, state, contactOf]);

  // Notices of who joined and left, from one view to the next.
  useEffect(() => {
    const before = previous.current;
    previous.current = view;
    if (before === null || before.groupId !== view.groupId) return;
    // Someone busy is not in the call: their name comes from the contact list.
    const names = new Map([...contacts.map((contact) => [contact.id, contact.displayName] as const), ...shortNames(participants)]);
    const added = membershipNotices(before, view, self.userId, names, () => `${view.groupId}-${String((noticeCount.current += 1))}`);
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

  return (
    <>
      <GroupCallScreen
        title={title}
        connectedAt={connectedAt}
        participants={participants}
        activeSpeaker={activeSpeaker}
        securityCode={view.securityCode}
        encryption={encryption}
        notices={notices}
        error={state.error}
        audioOutputId={audioOutputId}
        controlsEnabled={state.localStream !== null}
        onMuted={(muted) => {
          engine.setMuted(muted);
        }}
        onCameraOff={(off) => {
          engine.setCameraOff(off);
        }}
        onShareScreen={() => {
          const shared = state.sharing ? engine.stopScreenShare() : engine.shareScreen();
          void shared.catch(() => undefined);
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
      />
      {adding && (
        <AddPeopleDialog
          candidates={candidates}
          room={Math.max(0, MAX_GROUP_MEMBERS - view.members.length - view.invitees.filter((userId) => !view.members.some((member) => member.userId === userId)).length)}
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
