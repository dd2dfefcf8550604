export type CaptureProblem = 'denied' | 'missing' | 'busy' | 'failed';

export function captureProblemOf(error: unknown): CaptureProblem {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'failed';
}

const PRIVACY_PANE = { audio: 'Microphone', video: 'Camera' } as const;

/**
 * What the lobby and settings say when a device does not start. For a denial the fix is in the
 * OS, not in Sealcall, so the message names the exact place; and it says what still works.
 */
export function captureProblemText(kind: 'audio' | 'video', problem: CaptureProblem): string {
  const device = kind === 'audio' ? 'microphone' : 'camera';
  const stillWorks =
    kind === 'audio' ? 'You can still join: you will hear the other person, but they won’t hear you.' : 'You can still join without your camera.';
  switch (problem) {
    case 'denied':
      return `Sealcall isn’t allowed to use your ${device}. On a Mac, open System Settings › Privacy & Security › ${PRIVACY_PANE[kind]} and turn on Sealcall. On Windows, open Settings › Privacy & security › ${PRIVACY_PANE[kind]} and allow desktop apps. Then try again. ${stillWorks}`;
    case 'missing':
      return `No ${device} was found. Check that it is plugged in. ${stillWorks}`;
    case 'busy':
      return `Your ${device} is in use by another app or not working. Close other apps that use it. ${stillWorks}`;
    case 'failed':
      return `Your ${device} could not be started. ${stillWorks}`;
  }
}
