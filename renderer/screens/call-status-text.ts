import type { CallView } from '../../shared/ipc';
import { firstName } from '../components/sentence';

export type EndReason = NonNullable<CallView['endReason']>;

/** Why a call ended, as one line the user reads in passing; the peer's name where it helps. */
export function endedText(reason: EndReason | null, direction: CallView['direction'], peerName: string): string {
  const name = firstName(peerName);
  switch (reason) {
    case 'declined':
      return direction === 'outgoing' ? `${name} declined` : 'Call declined';
    case 'busy':
      return `${name} is busy`;
    case 'timeout':
      return direction === 'outgoing' ? 'No answer' : `Missed call from ${name}`;
    case 'unavailable':
      return `${name} is unavailable`;
    case 'cancelled':
      return direction === 'outgoing' ? 'Call cancelled' : `Missed call from ${name}`;
    case 'connection-lost':
    case 'peer-disconnected':
    case 'server-lost':
      return 'Connection lost';
    case 'mitm-detected':
      return 'Possible man-in-the-middle: call ended';
    case 'handshake-failed':
      return `Call ended: ${name}'s key did not check out`;
    case 'decrypt-failed':
      return "Call ended: the media couldn't be decrypted";
    case 'upgraded':
      return 'Continued as a group call';
    case 'hangup':
    case 'remote-hangup':
    case null:
      return 'Call ended';
  }
}

/** A warning-level end, shown longer and louder than an ordinary hang-up. */
export function isSecurityEnd(reason: EndReason | null): boolean {
  return reason === 'mitm-detected' || reason === 'handshake-failed' || reason === 'decrypt-failed';
}

/** "0:07", "12:34", "1:02:03". */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "123456789012" → "1234 5678 9012". */
export function formatShortCode(code: string): string {
  return code.replace(/(\d{4})(?=\d)/gu, '$1 ');
}
