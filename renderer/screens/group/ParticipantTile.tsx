import { Avatar } from '../../components/Avatar';
import { MicOffIcon, VideoOffIcon, WarningIcon } from '../../components/Icons';
import { StreamVideo, useLiveVideo } from '../../components/StreamMedia';
import { tileStateText, tileSummary, type TileConnection } from './group-call-text';
import { HandIcon } from './HandIcon';

export interface ParticipantTileProps {
  userId: string;
  displayName: string;
  self: boolean;
  /** Their camera, or their screen while they share it; yours for your own tile. */
  stream: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
  speaking: boolean;
  connection: TileConnection;
  /** Their key changed since it was pinned and was not compared again: marked on the tile too. */
  keyChanged: boolean;
  handRaised: boolean;
}

/**
 * One person in the group call: their video, or their initials while it is off or not there yet,
 * with their name and what they have turned off. The picture is decorative for a screen reader;
 * the caption says the rest.
 */
export function ParticipantTile(props: ParticipantTileProps) {
  const { userId, displayName, self, stream, muted, cameraOff, sharing, speaking, connection, keyChanged, handRaised } = props;
  const live = useLiveVideo(stream);
  const showVideo = stream !== null && live && (sharing || !cameraOff) && connection !== 'connecting';
  const stateText = tileStateText(connection);
  const classes = ['group-tile'];
  if (speaking) classes.push('group-tile-speaking');
  if (connection === 'cant-decrypt') classes.push('group-tile-danger');
  const videoClasses = ['group-tile-video'];
  // A mirror for your own camera, as people expect to see themselves; never for a shared screen.
  if (self && !sharing) videoClasses.push('group-tile-mirror');
  if (sharing) videoClasses.push('group-tile-screen');
  return (
    <div role="listitem" className={classes.join(' ')} data-user-id={userId}>
      {showVideo ? (
        <StreamVideo
          stream={stream}
          className={videoClasses.join(' ')}
          label={sharing ? `${self ? 'Your' : `${displayName}'s`} screen` : self ? 'Your camera' : `${displayName}'s video`}
        />
      ) : (
        <div className="group-tile-placeholder">
          <span className={connection === 'connecting' ? 'call-pulse' : undefined}>
            <Avatar id={userId} name={displayName} size="large" />
          </span>
        </div>
      )}
      {handRaised && (
        <p className="group-tile-hand" aria-hidden="true">
          <HandIcon className="icon-small" />
        </p>
      )}
      {stateText !== null && (
        <p className={connection === 'cant-decrypt' ? 'group-tile-state group-tile-state-danger' : 'group-tile-state'}>
          {connection === 'cant-decrypt' && <WarningIcon className="icon-small" />}
          {stateText}
        </p>
      )}
      <p className="group-tile-caption">
        <span className="visually-hidden">{tileSummary(displayName, self, muted, cameraOff, keyChanged, handRaised)}</span>
        {keyChanged && <WarningIcon className="icon-small group-tile-warning" />}
        <span className="group-tile-name" aria-hidden="true">
          {self ? `${displayName} (you)` : displayName}
        </span>
        {muted && <MicOffIcon className="icon-small group-tile-icon" />}
        {cameraOff && <VideoOffIcon className="icon-small group-tile-icon" />}
      </p>
    </div>
  );
}
