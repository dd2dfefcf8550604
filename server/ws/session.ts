import type { ProtocolErrorCode, ServerMessage } from '../../shared/protocol';

/** WebSocket close codes the server uses; the error message sent just before says why in detail. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooLarge: 1009,
  internal: 1011,
  tryAgainLater: 1013,
} as const;

/** An authenticated connection, as the hub sees it. */
export interface Session {
  readonly userId: string;
  send(message: ServerMessage): void;
  /** Sends bytes already serialized once for many recipients (a broadcast). */
  sendSerialized(data: Buffer | string): void;
  /** Writes already-framed text frames (see frame.ts) in one write: a broadcast batch. */
  sendFrames(frames: readonly Buffer[]): void;
  /** Sends an error with `code`, then closes. */
  end(code: ProtocolErrorCode, message: string, closeCode: number): void;
}
