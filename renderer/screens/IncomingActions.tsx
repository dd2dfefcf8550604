import { HangUpIcon, PhoneIcon, VideoIcon } from '../components/Icons';
import { shortcutHint } from '../shortcuts/shortcuts';

interface IncomingActionsProps {
  /** The call offers video: accepting with video is the highlighted answer. */
  video: boolean;
  answering: boolean;
  /** Accepting is off (a key change not confirmed yet, or no call engine); declining still works. */
  acceptDisabled: boolean;
  /** The status line while the answer is on its way ("Connecting…", "Joining…"). */
  answeringText: string;
  onDecline: () => void;
  onAccept: (withVideo: boolean) => void;
}

/** Decline, Accept audio only, Accept with video, and the status while answering: the same for a 1:1 and a group ring. */
export function IncomingActions({ video, answering, acceptDisabled, answeringText, onDecline, onAccept }: IncomingActionsProps) {
  return (
    <>
      <div className="incoming-actions">
        <button
          type="button"
          className="round-button round-button-danger"
          title={`Decline (${shortcutHint('decline').title})`}
          aria-keyshortcuts={shortcutHint('decline').aria}
          onClick={onDecline}
          disabled={answering}
        >
          <HangUpIcon />
          <span className="round-button-label">Decline</span>
        </button>
        <button
          type="button"
          className={video ? 'round-button round-button-neutral' : 'round-button round-button-success'}
          title={`Accept audio only (${shortcutHint('acceptAudio').title})`}
          aria-keyshortcuts={shortcutHint('acceptAudio').aria}
          onClick={() => {
            onAccept(false);
          }}
          disabled={answering || acceptDisabled}
        >
          <PhoneIcon />
          <span className="round-button-label">Accept audio only</span>
        </button>
        <button
          type="button"
          className={video ? 'round-button round-button-success' : 'round-button round-button-neutral'}
          title={`Accept with video (${shortcutHint('acceptVideo').title})`}
          aria-keyshortcuts={shortcutHint('acceptVideo').aria}
          onClick={() => {
            onAccept(true);
          }}
          disabled={answering || acceptDisabled}
        >
          <VideoIcon />
          <span className="round-button-label">Accept with video</span>
        </button>
      </div>
      {answering && (
        <p className="incoming-status" role="status">
          {answeringText}
        </p>
      )}
    </>
  );
}
