/**
 * The messages between the rekey benchmark and a member's core in a child process
 * (group-rekey-child.ts): a call names a RekeyMember method with its arguments, and is answered
 * by its `ref`. Sent over Node's IPC channel with `serialization: 'advanced'` (structured clone),
 * so the identity key pair crosses as bytes once, at start.
 */
import type { IdentityKeyPair } from '../shared/crypto/identity';
import type { Arrival, Keyed } from './group-rekey-member';

export interface MemberStart {
  readonly userId: string;
  readonly keys: IdentityKeyPair;
  readonly serverUrl: string;
}

export type MemberCall =
  | { readonly op: 'ready'; readonly others: readonly string[] }
  | { readonly op: 'create'; readonly groupId: string; readonly invitees: readonly string[] }
  | { readonly op: 'ringing' | 'accept' | 'leave' | 'end'; readonly groupId: string }
  | { readonly op: 'keysAt' | 'arrivalOf'; readonly groupId: string; readonly epoch: number }
  | { readonly op: 'forget' | 'close' };

export type ToChild = { readonly kind: 'start'; readonly start: MemberStart } | { readonly kind: 'call'; readonly ref: number; readonly call: MemberCall };

export type FromChild =
  | { readonly kind: 'listening' }
  | { readonly kind: 'answer'; readonly ref: number; readonly value: Keyed | Arrival | null | undefined }
  | { readonly kind: 'failed'; readonly ref: number; readonly error: string }
  | { readonly kind: 'sent'; readonly groupId: string; readonly epoch: number; readonly at: number };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Only the parent writes to a child and the reverse, but a malformed message is still refused rather than trusted. */
export function isToChild(value: unknown): value is ToChild {
  if (!isRecord(value)) return false;
  if (value['kind'] === 'start') return isRecord(value['start']) && typeof value['start']['userId'] === 'string';
  return value['kind'] === 'call' && typeof value['ref'] === 'number' && isRecord(value['call']) && typeof value['call']['op'] === 'string';
}

export function isFromChild(value: unknown): value is FromChild {
  if (!isRecord(value)) return false;
  if (value['kind'] === 'listening') return true;
  if (value['kind'] === 'sent') return typeof value['groupId'] === 'string' && typeof value['epoch'] === 'number' && typeof value['at'] === 'number';
  return (value['kind'] === 'answer' || value['kind'] === 'failed') && typeof value['ref'] === 'number';
}
