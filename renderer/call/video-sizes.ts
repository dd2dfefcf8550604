/** A video stream's frame size as getStats reports it; null before any frame. */
export interface FrameSize {
  width: number;
  height: number;
}

export interface VideoSizes {
  /** What we encode and send. */
  sent: FrameSize | null;
  /** What we decode from the other side. */
  received: FrameSize | null;
}

function sizeOf(stat: Record<string, unknown>): FrameSize | null {
  const { frameWidth, frameHeight } = stat;
  return typeof frameWidth === 'number' && typeof frameHeight === 'number' ? { width: frameWidth, height: frameHeight } : null;
}

/** The frame sizes of the call's video, both ways: a screen share shows as a size change. */
export async function sampleVideoSizes(pc: RTCPeerConnection): Promise<VideoSizes> {
  const sizes: VideoSizes = { sent: null, received: null };
  (await pc.getStats()).forEach((stat: Record<string, unknown>) => {
    if (stat['kind'] !== 'video') return;
    if (stat['type'] === 'outbound-rtp') sizes.sent = sizeOf(stat) ?? sizes.sent;
    else if (stat['type'] === 'inbound-rtp') sizes.received = sizeOf(stat) ?? sizes.received;
  });
  return sizes;
}
