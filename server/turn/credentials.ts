import { createHmac } from 'node:crypto';
import type { IceServer } from '../../shared/protocol';
import type { TurnConfig } from '../config/server-config';

export interface TurnGrant {
  iceServers: IceServer[];
  /** ms since the epoch */
  expiresAt: number;
}

/**
 * coturn's REST-API credentials (`use-auth-secret`, draft-uberti-behave-turn-rest): the username is
 * "expiry:user-id" with the expiry in Unix seconds, the password is base64 HMAC-SHA1 of that
 * username keyed with the secret coturn shares. coturn checks them without asking us, and they stop
 * working by themselves, so a revoked user's last grant dies within one TTL.
 */
export function turnCredentials(turn: TurnConfig, userId: string, now: number = Date.now()): TurnGrant {
  const expiry = Math.floor(now / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { iceServers: [{ urls: turn.urls, username, credential }], expiresAt: expiry * 1000 };
}
