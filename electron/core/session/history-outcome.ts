import type { CallView } from '../../../shared/ipc';
import type { CallHistoryEntry, CallOutcome } from '../history/call-history';

/** How a finished call reads in the history list, from the side that records it. */
export function historyEntryFor(view: CallView): CallHistoryEntry {
  const answered = view.connectedAt !== null;
  const endedAt = Math.max(view.endedAt ?? view.startedAt, view.startedAt);
  return {
    callId: view.callId,
    peerId: view.peerId,
    direction: view.direction,
    startedAt: view.startedAt,
    ...(answered && view.connectedAt !== null ? { answeredAt: Math.min(view.connectedAt, endedAt) } : {}),
    endedAt,
    outcome: outcomeOf(view, answered),
    ...(view.endReason === null ? {} : { reason: view.endReason }),
  };
}

function outcomeOf(view: CallView, answered: boolean): CallOutcome {
  // A call cut by a certificate the handshake did not sign (a re-offer mid-call, say) did not
  // complete, however long it had been connected.
  if (view.endReason === 'mitm-detected') return 'failed';
  if (answered) return 'completed';
  const reason = view.endReason;
  if (view.direction === 'incoming') {
    if (reason === 'declined') return 'declined';
    // The caller gave up, the ring timed out, or the caller vanished: the user missed it.
    if (view.state === 'ended' && (reason === 'cancelled' || reason === 'timeout' || reason === 'peer-disconnected' || reason === 'server-lost')) {
      return wasAccepted(view) ? 'failed' : 'missed';
    }
    return 'failed';
  }
  switch (reason) {
    case 'declined':
      return 'declined';
    case 'busy':
      return 'busy';
    case 'cancelled':
      return 'cancelled';
    case 'timeout':
    case 'unavailable':
      return 'unanswered';
    default:
      return 'failed';
  }
}

/** An incoming call that had a short code was accepted here, so it was not missed. */
function wasAccepted(view: CallView): boolean {
  return view.shortCode !== null;
}
