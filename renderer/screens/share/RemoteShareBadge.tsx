import { firstName } from '../../components/sentence';
import { ScreenShareIcon } from './ScreenShareIcon';

/** Tells the viewer that the picture is the other side's screen, not their camera. */
export function RemoteShareBadge({ peerName }: { peerName: string }) {
  return (
    <p className="remote-share-badge" role="status">
      <ScreenShareIcon />
      <span>{firstName(peerName)} is sharing their screen</span>
    </p>
  );
}
