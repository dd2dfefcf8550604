/**
 * The picked screen or window as a video track. getDisplayMedia reaches the shell's display-media
 * handler, which grants only what the user picked in Sealcall's picker; never system audio.
 */
/**
 * Up to 1080p, where text stays readable, at a screen share's usual 15 frames a second: a 4K
 * screen at full size would cost the encoder far more than the far side can show.
 */
const SHARE_VIDEO: MediaTrackConstraints = { width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 15, max: 30 } };

export async function captureDisplay(): Promise<MediaStreamTrack> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: SHARE_VIDEO, audio: false });
  } catch (error) {
    throw new Error(displayCaptureProblem(error), { cause: error });
  }
  const [track] = stream.getVideoTracks();
  for (const extra of stream.getTracks()) if (extra !== track) extra.stop();
  if (track === undefined) throw new Error("Sealcall didn't get a picture of your screen. Try sharing again.");
  return track;
}

function displayCaptureProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'Screen sharing was blocked. On a Mac, allow Sealcall under System Settings › Privacy & Security › Screen Recording, then try again.';
    case 'NotFoundError':
    case 'NotReadableError':
    case 'AbortError':
      return "The screen or window you picked can't be captured now (it may have closed). Pick it again.";
    default:
      return "Your screen couldn't be shared. Try again.";
  }
}
