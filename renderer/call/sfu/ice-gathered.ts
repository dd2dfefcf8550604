/** How long gathering may take before the description goes with the candidates it has. */
const GATHER_LIMIT_MS = 10_000;

/**
 * The local description once ICE gathering is done: Janus's HTTP API takes the SDP with its
 * candidates in it (no trickle), which keeps a renegotiation to one request and one answer.
 */
export async function gatheredSdp(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GATHER_LIMIT_MS);
      function done(): void {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
      function check(): void {
        if (pc.iceGatheringState === 'complete' || pc.signalingState === 'closed') done();
      }
      pc.addEventListener('icegatheringstatechange', check);
      check();
    });
  }
  const sdp = pc.localDescription?.sdp;
  if (sdp === undefined) throw new Error('the connection to the meeting server has no local description');
  return sdp;
}

export interface SfuIce {
  iceServers: RTCIceServer[];
  relayOnly: boolean;
}

/** A connection to Janus: one bundle, TURN as for the mesh, and the legacy transform API's flag where it is used. */
export function sfuPeerConnection(ice: SfuIce, legacyTransforms: boolean): RTCPeerConnection {
  const config: RTCConfiguration & { encodedInsertableStreams?: boolean } = {
    iceServers: ice.iceServers,
    iceTransportPolicy: ice.relayOnly ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
  if (legacyTransforms) config.encodedInsertableStreams = true;
  return new RTCPeerConnection(config);
}
