import { useId, useState } from 'react';
import type { CallView, Contact, SealcallBridge } from '../../shared/ipc';
import type { CallEngineState } from '../call/call-engine-types';
import { Avatar } from '../components/Avatar';
import { EncryptionPanel } from '../components/EncryptionPanel';
import { CloseIcon, HangUpIcon, WarningIcon } from '../components/Icons';
import { CameraToggle, MuteToggle } from '../components/MediaToggles';
import { Modal } from '../components/Modal';
import { QualityIndicator } from '../components/QualityIndicator';
import { firstName } from '../components/sentence';
import { RemoteAudio, StreamVideo, useLiveVideo } from '../components/StreamMedia';
import { useSpeakerId } from '../lobby/use-speaker-id';
import { endedText, isSecurityEnd } from './call-status-text';
import { ElapsedTime } from './ElapsedTime';
import { SafetyNumber } from './SafetyNumber';
import { AddPeopleDialog } from './group/AddPeopleDialog';
import { RemoteShareBadge } from './share/RemoteShareBadge';
import { SharingBar } from './share/SharingBar';
import { ShareScreenControl } from './share/ShareScreenControl';
import { shortcutHint } from '../shortcuts/shortcuts';

/** A call as the screen shows it: the core's view, or one being placed that the core has not seen yet. */
export type ShownCall = Pick<
  CallView,
  'peerId' | 'peerName' | 'direction' | 'media' | 'remoteMedia' | 'connectedAt' | 'endReason' | 'shortCode' | 'peerVerified' | 'peerKeyChanged'
> & { state: CallView['state'] | 'starting'; callId: string };

interface InCallProps {
  bridge: SealcallBridge;
  call: ShownCall;
  /** The contact as the list knows them now: verifying during the call shows at once. */
  contact: Contact | undefined;
  engine: CallEngineState | null;
  onHangUp: () => void;
  onMuted: (muted: boolean) => void;
  onCameraOff: (off: boolean) => void;
  onClose: () => void;
  /**
   * "Add people": the call goes on as a group call with the picked contacts (docs/group-calls.md,
   * "Adding people to a 1:1 call"). Absent where group calls cannot start.
   */
  addPeople?: { candidates: readonly Contact[]; room: number; onAdd: (userIds: string[]) => Promise<boolean> } | undefined;
}

/** The status line's words; a connected call's clock is ElapsedTime, which ticks on its own. */
function statusText(call: ShownCall): string {
  switch (call.state) {
    case 'starting':
    case 'outgoing':
      return 'Calling…';
    case 'ringing':
      return 'Ringing…';
    case 'incoming':
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'ended':
      return endedText(call.endReason, call.direction, call.peerName);
  }
}

export function InCall({ bridge, call, contact, engine, onHangUp, onMuted, onCameraOff, onClose, addPeople }: InCallProps) {
  const ids = useId();
  const [showSafety, setShowSafety] = useState(false);
  const [adding, setAdding] = useState(false);
  const ended = call.state === 'ended';
  const remoteStream = ended ? null : (engine?.remoteStream ?? null);
  const localStream = ended ? null : (engine?.localStream ?? null);
  const speakerId = useSpeakerId(bridge);
  const remoteVideo = useLiveVideo(remoteStream);
  const localVideo = useLiveVideo(localStream);
  const muted = engine?.muted ?? false;
  const cameraOff = engine?.cameraOff ?? !call.media.video;
  const showRemoteVideo = remoteStream !== null && remoteVideo && call.state === 'connected';
  const sharing = !ended && (engine?.sharing ?? false);
  const remoteSharing = !ended && (engine?.remoteSharing ?? false);
  const showLocalVideo = localStream !== null && localVideo && !cameraOff;
  const security = ended && isSecurityEnd(call.endReason);
  const verified = contact?.verified ?? call.peerVerified;
  // A call placed with "Call anyway" keeps saying so, even once the core counts the change as seen.
  const keyChanged = (contact?.keyChanged ?? false) || call.peerKeyChanged;
  // The engine keeps its last error until the next call; only this call's is shown.
  const engineError = engine !== null && (engine.call?.callId === call.callId || engine.placing?.callId === call.callId) ? engine.error : null;

  return (
    <section className="call" aria-labelledby={`${ids}-name`}>
      <div className={showRemoteVideo ? 'call-stage call-stage-video' : 'call-stage'}>
        {showRemoteVideo && (
          <StreamVideo
            stream={remoteStream}
            className={remoteSharing ? 'call-remote-video call-remote-share' : 'call-remote-video'}
            label={remoteSharing ? `${call.peerName}'s screen` : `${call.peerName}'s video`}
          />
        )}
        {showRemoteVideo && remoteSharing && <RemoteShareBadge peerName={call.peerName} />}
        {sharing && <SharingBar />}
        <div className="call-top">
          <div>
            <h2 id={`${ids}-name`} className="call-name">
              {call.peerName}
            </h2>
            <p className={security ? 'call-status call-status-danger' : 'call-status'} role={security ? 'alert' : 'status'}>
              {call.state === 'connected' && engine?.reconnecting === true ? (
                'Reconnecting…'
              ) : call.state === 'connected' && call.connectedAt !== null ? (
                <ElapsedTime since={call.connectedAt} />
              ) : (
                statusText(call)
              )}
            </p>
          </div>
          {call.state === 'connected' && engine !== null && <QualityIndicator quality={engine.quality} />}
        </div>
        {engineError !== null && (
          <div className="call-banner call-alert" role="alert">
            <WarningIcon />
            <span>{engineError}</span>
          </div>
        )}
        {!showRemoteVideo && (
          <div className={ended ? 'call-placeholder call-placeholder-ended' : 'call-placeholder'}>
            <span className={call.state === 'outgoing' || call.state === 'ringing' || call.state === 'starting' ? 'call-pulse' : undefined}>
              <Avatar id={call.peerId} name={call.peerName} size="huge" />
            </span>
            {call.state === 'connected' && <p className="call-placeholder-text">{firstName(call.peerName)}'s camera is off</p>}
          </div>
        )}
        {showLocalVideo && <StreamVideo stream={localStream} className="call-local-video" label="Your camera" />}
        {ended ? (
          <div className="call-controls">
            {security && engineError === null && (
              <p className="call-ended-warning">
                Don't call back until you have compared safety numbers in person. Tell IT: someone may be intercepting calls.
              </p>
            )}
            <button type="button" className="button button-secondary button-on-dark" onClick={onClose}>
              Back to contacts
            </button>
          </div>
        ) : (
          <div className="call-controls" role="toolbar" aria-label="Call controls">
            <MuteToggle off={muted} disabled={engine === null} onToggle={onMuted} />
            <CameraToggle off={cameraOff} disabled={engine === null} onToggle={onCameraOff} />
            <ShareScreenControl bridge={bridge} peerName={call.peerName} sharing={sharing} connected={call.state === 'connected'} />
            {addPeople !== undefined && (
              <button
                type="button"
                className="control group-control-add"
                disabled={call.state !== 'connected'}
                onClick={() => {
                  setAdding(true);
                }}
              >
                Add people
              </button>
            )}
            <button
              type="button"
              className="control control-hangup"
              aria-label="Hang up"
              title={`Hang up (${shortcutHint('hangUp').title})`}
              aria-keyshortcuts={shortcutHint('hangUp').aria}
              onClick={onHangUp}
            >
              <HangUpIcon />
            </button>
          </div>
        )}
      </div>
      <EncryptionPanel
        peerName={call.peerName}
        ended={ended}
        shortCode={call.shortCode}
        encryption={ended ? null : (engine?.encryption ?? null)}
        verified={verified}
        keyChanged={keyChanged}
        onShowSafetyNumber={() => {
          setShowSafety(true);
        }}
      />
      <RemoteAudio stream={remoteStream} sinkId={speakerId} />
      {adding && addPeople !== undefined && !ended && (
        <AddPeopleDialog
          candidates={addPeople.candidates}
          room={addPeople.room}
          onAdd={addPeople.onAdd}
          onClose={() => {
            setAdding(false);
          }}
        />
      )}
      {showSafety && contact !== undefined && (
        <Modal
          labelledBy={`${ids}-safety`}
          onDismiss={() => {
            setShowSafety(false);
          }}
          className="modal-wide"
        >
          <span id={`${ids}-safety`} className="visually-hidden">
            Safety number with {contact.displayName}
          </span>
          <button
            type="button"
            className="icon-button modal-close"
            aria-label="Close"
            onClick={() => {
              setShowSafety(false);
            }}
          >
            <CloseIcon />
          </button>
          <SafetyNumber bridge={bridge} contact={contact} />
        </Modal>
      )}
    </section>
  );
}
