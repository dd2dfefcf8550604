/*
 * The part of simple-peer 9.11.1 the call engine uses. Typed here rather than with
 * @types/simple-peer, which pulls Node's types (stream, Buffer, process) into the renderer, where
 * none of them exist.
 */
declare module 'simple-peer' {
  interface SimplePeerOptions {
    initiator?: boolean;
    config?: RTCConfiguration;
    streams?: MediaStream[];
    trickle?: boolean;
  }

  class SimplePeer {
    constructor(options?: SimplePeerOptions);
    /** simple-peer's own RTCPeerConnection: the engine attaches transforms and reads the SDP there. */
    readonly _pc: RTCPeerConnection;
    readonly destroyed: boolean;
    /** The data channel is open: send() would deliver. */
    readonly connected: boolean;
    /** Sends over simple-peer's own data channel (peer to peer, DTLS-encrypted). */
    send(data: string): void;
    /** Applies what the other side's 'signal' event emitted. */
    signal(data: object): void;
    /** The initiator offers anew (after pc.restartIce(): an ICE restart); the other side asks the initiator to. */
    negotiate(): void;
    destroy(error?: Error): void;
    /** 'signal': what to relay to the other side; 'data': a data-channel message, a string or bytes as sent. */
    on(event: 'signal' | 'data', listener: (data: unknown) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'error', listener: (error: Error & { code?: string }) => void): this;
    removeAllListeners(event?: string): this;
  }

  export default SimplePeer;
}

declare module 'process' {
  const process: object;
  export default process;
}
