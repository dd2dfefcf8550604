import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { HangUpIcon, LockIcon, PeopleIcon, WarningIcon } from '../../components/Icons';
import { CameraToggle, MuteToggle } from '../../components/MediaToggles';
import { ConfirmDanger } from './ConfirmDanger';
import { RemoteAudio } from '../../components/StreamMedia';
import { ElapsedTime } from '../ElapsedTime';
import { isTypingTarget, shortcutHint } from '../../shortcuts/shortcuts';
import { ScreenShareIcon } from '../share/ScreenShareIcon';
import { gridLayout, MAX_TILES, rowSizes, tilesPerPage } from './grid-layout';
import { gridPage, nextRecentSpeakers } from './grid-paging';
import { GridPager } from './GridPager';
import { pageText, peopleCount, type GroupNotice, type TileConnection } from './group-call-text';
import { HandIcon } from './HandIcon';
import { GroupSecurityCode } from './GroupSecurityCode';
import { JoinLeaveNotice } from './JoinLeaveNotice';
import { ParticipantList } from './ParticipantList';
import { ParticipantTile } from './ParticipantTile';
import { orderParticipants, unverifiedCount, type GroupMember } from './participant-order';
import type { Invitee } from './participant-sections';
import { useElementSize } from './use-element-size';
import './group-call.css';

/** One member as the engine sees them; `self: true` is you, with your own camera and mute state. */
export interface GroupCallParticipant extends GroupMember {
  /** Their camera (or screen, while they share it) and sound; yours is your camera. */
  stream: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
  connection: TileConnection;
  /** A number rising in the order hands went up, or null while their hand is down. */
  handOrder: number | null;
}

/** Whether media is flowing under the group's keys, as the 1:1 encryption panel says it. */
export type GroupEncryption = 'setting-up' | 'encrypted' | 'cant-decrypt';

export interface GroupCallScreenProps {
  /** The call's name at the top: "Design review", or the owner's "Alice's call". */
  title: string;
  /** When the call connected, for the timer; null while joining. */
  connectedAt: number | null;
  /** Everyone in the call, yourself included, in any order (the screen orders them); a page of the grid at a time. */
  participants: readonly GroupCallParticipant[];
  /** Invited people not in the call: still rung, or not coming. */
  invitees?: readonly Invitee[];
  /** The active speaker's user id (active-speaker.ts), or null when nobody speaks. */
  activeSpeaker: string | null;
  /** The current epoch's group security code (shared/crypto/group-security-code.ts), or null. */
  securityCode: string | null;
  encryption: GroupEncryption;
  /** Joins and leaves, oldest first; each new one is announced. */
  notices: readonly GroupNotice[];
  /** The engine's last error for this call, shown as an alert, or null. */
  error: string | null;
  /** The chosen speaker ('' for the system default). */
  audioOutputId: string;
  /** False until the engine can act on the controls. */
  controlsEnabled: boolean;
  onMuted: (muted: boolean) => void;
  onCameraOff: (off: boolean) => void;
  /** Opens the screen picker, or stops sharing while you share. */
  onShareScreen: () => void;
  /** Raises or lowers your hand; it stays up until you lower it. */
  onRaiseHand: (raised: boolean) => void;
  /**
   * The user ids whose tiles are on the grid's page, whenever they change: only they need video
   * (docs/group-calls.md, "Meetings of up to 50").
   */
  onVisibleMembers?: (userIds: readonly string[]) => void;
  onLeave: () => void;
  /** Shown only to the owner, behind a confirmation. */
  onEndForEveryone: () => void;
  /** The owner adds people to the running call; the button shows only with this. */
  onAddPeople?: () => void;
  /** The owner takes a member out of the call; each member's Remove shows only with this. */
  onRemove?: (userId: string) => void;
  onShowSafetyNumber: (userId: string) => void;
}

/** Space between tiles, in CSS pixels; group-call.css uses the same. */
const TILE_GAP = 8;

function EncryptionLine({ encryption }: { encryption: GroupEncryption }) {
  switch (encryption) {
    case 'cant-decrypt':
      return (
        <div className="enc-state enc-state-danger" role="alert">
          <WarningIcon />
          <span>Can't decrypt someone's media — the call may be tampered with or keys are out of sync</span>
        </div>
      );
    case 'encrypted':
      return (
        <div className="enc-state enc-state-ok" role="status">
          <LockIcon />
          <span>End-to-end encrypted</span>
        </div>
      );
    case 'setting-up':
      return (
        <div className="enc-state" role="status">
          <LockIcon />
          <span>Setting up encryption…</span>
        </div>
      );
  }
}

function EndForEveryone({ onConfirm, disabled }: { onConfirm: () => void; disabled: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button
        type="button"
        className="control group-control-end"
        disabled={disabled}
        onClick={() => {
          setConfirming(true);
        }}
      >
        End for everyone
      </button>
      {confirming && (
        <ConfirmDanger
          title="End the call for everyone?"
          text="Everyone is disconnected, not only you. To leave and let the others carry on, use Leave instead."
          confirmLabel="End for everyone"
          onCancel={() => {
            setConfirming(false);
          }}
          onConfirm={() => {
            setConfirming(false);
            onConfirm();
          }}
        />
      )}
    </>
  );
}

/**
 * The group call: a grid of tiles that keeps them as large as the stage allows, the toolbar of the
 * 1:1 call plus Participants, and the side panel with the group security code and who is in the
 * call. It takes everything as props and calls back for every action; it knows nothing of the
 * engine or of IPC.
 */
export function GroupCallScreen(props: GroupCallScreenProps) {
  const { title, connectedAt, participants, activeSpeaker, securityCode, encryption, notices, error, audioOutputId, controlsEnabled } = props;
  const ids = useId();
  const [listOpen, setListOpen] = useState(true);
  const gridRef = useRef<HTMLDivElement>(null);
  const size = useElementSize(gridRef);

  const ordered = useMemo(() => orderParticipants(participants), [participants]);
  const [page, setPage] = useState(0);
  const [recent, setRecent] = useState<readonly string[]>([]);
  useEffect(() => {
    setRecent((current) => nextRecentSpeakers(current, activeSpeaker, MAX_TILES - 1));
  }, [activeSpeaker]);
  const paged = gridPage(ordered, recent, tilesPerPage(size.width, size.height, { gap: TILE_GAP }), page);
  const tiles = paged.tiles;
  const visible = tiles.map((member) => member.userId).join(' ');
  const { onVisibleMembers } = props;
  useEffect(() => {
    onVisibleMembers?.(visible === '' ? [] : visible.split(' '));
  }, [visible, onVisibleMembers]);
  // PageUp / PageDown anywhere in the call (not in a field, not in a dialog over it) turn pages.
  const lastPage = paged.pageCount - 1;
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.key !== 'PageUp' && event.key !== 'PageDown') return;
      if (isTypingTarget(event.target) || (event.target instanceof Element && event.target.closest('[role="dialog"], [role="alertdialog"], dialog') !== null)) return;
      event.preventDefault();
      setPage((current) => Math.min(Math.max(0, Math.min(current, lastPage) + (event.key === 'PageDown' ? 1 : -1)), lastPage));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
    };
  }, [lastPage]);
  const layout = tiles.length === 0 ? null : gridLayout(tiles.length, size.width, size.height, { gap: TILE_GAP });
  const rows: (typeof tiles)[] = [];
  if (layout !== null) {
    let start = 0;
    for (const count of rowSizes(tiles.length, layout.columns)) {
      rows.push(tiles.slice(start, start + count));
      start += count;
    }
  }

  const self = ordered.find((member) => member.self);
  const muted = self?.muted ?? false;
  const cameraOff = self?.cameraOff ?? true;
  const sharing = self?.sharing ?? false;
  const handRaised = (self?.handOrder ?? null) !== null;
  const handLabel = handRaised ? 'Lower your hand' : 'Raise your hand';
  const enabled = controlsEnabled && self !== undefined;
  const isOwner = self?.owner ?? false;
  const notVerified = unverifiedCount(ordered);
  const shareLabel = sharing ? 'Stop sharing your screen' : 'Share screen';

  return (
    <section className="call group-call" aria-labelledby={`${ids}-title`}>
      <div className="group-stage">
        <div className="group-top">
          <div>
            <h2 id={`${ids}-title`} className="call-name">
              {title}
            </h2>
            <p className="call-status">
              {connectedAt === null ? 'Joining…' : <ElapsedTime since={connectedAt} />} · {peopleCount(ordered.length)}
            </p>
          </div>
        </div>
        <JoinLeaveNotice notices={notices} />
        {error !== null && (
          <div className="group-alert call-alert" role="alert">
            <WarningIcon />
            <span>{error}</span>
          </div>
        )}
        <div className="group-grid-area">
          <div
            ref={gridRef}
            className="group-grid"
            role="list"
            aria-label={paged.pageCount > 1 ? `People in the call, ${pageText(paged.page, paged.pageCount).toLowerCase()}` : 'People in the call'}
            data-columns={layout?.columns ?? 1}
            data-rows={layout?.rows ?? 1}
          >
            {rows.map((row, index) => (
              <div key={index} className="group-row">
                {row.map((member) => (
                  <ParticipantTile
                    key={member.userId}
                    userId={member.userId}
                    displayName={member.displayName}
                    self={member.self}
                    stream={member.stream}
                    muted={member.muted}
                    cameraOff={member.cameraOff}
                    sharing={member.sharing}
                    speaking={member.userId === activeSpeaker}
                    connection={member.connection}
                    keyChanged={member.verification === 'key-changed'}
                    handRaised={member.handOrder !== null}
                  />
                ))}
              </div>
            ))}
          </div>
          <GridPager page={paged.page} pageCount={paged.pageCount} onPage={setPage} />
        </div>
        <div className="group-controls" role="toolbar" aria-label="Call controls">
          <MuteToggle off={muted} disabled={!enabled} onToggle={props.onMuted} />
          <CameraToggle off={cameraOff} disabled={!enabled} onToggle={props.onCameraOff} />
          <button
            type="button"
            className={sharing ? 'control control-sharing' : 'control'}
            aria-pressed={sharing}
            aria-label={shareLabel}
            title={shareLabel}
            disabled={!enabled || connectedAt === null}
            onClick={props.onShareScreen}
          >
            <ScreenShareIcon />
          </button>
          <button
            type="button"
            className={handRaised ? 'control control-hand-raised' : 'control'}
            aria-pressed={handRaised}
            aria-label={handLabel}
            title={`${handLabel} (${shortcutHint('toggleHand').title})`}
            aria-keyshortcuts={shortcutHint('toggleHand').aria}
            disabled={self === undefined}
            onClick={() => {
              props.onRaiseHand(!handRaised);
            }}
          >
            <HandIcon />
          </button>
          <button
            type="button"
            className={listOpen ? 'control group-control-people group-control-open' : 'control group-control-people'}
            aria-expanded={listOpen}
            aria-controls={`${ids}-people`}
            aria-label={`Participants, ${peopleCount(ordered.length)}${notVerified === 0 ? '' : `, ${notVerified} not verified`}`}
            title="Participants"
            onClick={() => {
              setListOpen(!listOpen);
            }}
          >
            <PeopleIcon />
            <span className="group-control-count" aria-hidden="true">
              {ordered.length}
            </span>
          </button>
          <button
            type="button"
            className="control control-hangup"
            aria-label="Leave call"
            title={`Leave call (${shortcutHint('hangUp').title})`}
            aria-keyshortcuts={shortcutHint('hangUp').aria}
            onClick={props.onLeave}
          >
            <HangUpIcon />
          </button>
          {isOwner && props.onAddPeople !== undefined && (
            <button type="button" className="control group-control-add" disabled={!enabled || connectedAt === null} onClick={props.onAddPeople}>
              Add people
            </button>
          )}
          {isOwner && <EndForEveryone onConfirm={props.onEndForEveryone} disabled={!enabled} />}
        </div>
      </div>
      <aside className="call-side" aria-labelledby={`${ids}-side`}>
        <h3 id={`${ids}-side`} className="call-side-title">
          Encryption
        </h3>
        <EncryptionLine encryption={encryption} />
        <GroupSecurityCode code={securityCode} />
        {listOpen && <ParticipantList id={`${ids}-people`} members={ordered} invitees={props.invitees} onShowSafetyNumber={props.onShowSafetyNumber} onRemove={isOwner ? props.onRemove : undefined} />}
      </aside>
      {ordered
        .filter((member) => !member.self)
        .map((member) => (
          <RemoteAudio key={member.userId} stream={member.stream} sinkId={audioOutputId} />
        ))}
    </section>
  );
}
