import { z } from 'zod';
import { requestIdSchema, versionField } from './fields';

const iceUrlSchema = z.string().max(512).regex(/^(stun|stuns|turn|turns):/, 'an ICE server URL starts with stun:, stuns:, turn: or turns:');

/** The shape RTCPeerConnection takes in `iceServers`. */
export const iceServerSchema = z
  .object({
    urls: z.array(iceUrlSchema).min(1).max(8),
    /** coturn REST-API scheme: "expiry:user-id". */
    username: z.string().max(256).optional(),
    /** base64 HMAC-SHA1 of the username under the TURN shared secret. */
    credential: z.string().max(256).optional(),
  })
  .strict();

/** Client → server: ask for fresh TURN credentials (they expire). */
export const turnRequestSchema = z
  .object({ v: versionField, type: z.literal('turn.request'), id: requestIdSchema.optional() })
  .strict();

/** Server → client: the ICE servers to use, with credentials valid until `expiresAt` (ms since epoch). */
export const turnCredentialsSchema = z
  .object({
    v: versionField,
    type: z.literal('turn.credentials'),
    iceServers: z.array(iceServerSchema).max(8),
    expiresAt: z.number().int().nonnegative(),
  })
  .strict();

export type IceServer = z.infer<typeof iceServerSchema>;
export type TurnRequest = z.infer<typeof turnRequestSchema>;
export type TurnCredentials = z.infer<typeof turnCredentialsSchema>;
