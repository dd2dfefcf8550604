import type { JanusAnswer, JanusCall, SealcallBridge } from '../../../shared/ipc';

/**
 * How a JanusSession's requests reach Janus. In the app the page cannot reach the network (its
 * CSP and the shell's request filter), so the core carries them to the seat it issued
 * (`group.janus`, docs/protocol.md "Reaching Janus from the app"). A transport rejects when Janus
 * cannot be reached or answers garbage; the session counts that as a failed request or poll.
 */
export interface JanusTransport {
  send(call: JanusCall): Promise<JanusAnswer>;
}

/** The app's transport: each request through the core, for the group call this page is in. */
export function bridgeJanusTransport(bridge: Pick<SealcallBridge, 'invoke'>, groupId: string): JanusTransport {
  return {
    send: (call) => bridge.invoke('group.janus', { groupId, call }),
  };
}
