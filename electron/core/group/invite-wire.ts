/**
 * The owner's signed invite as it travels in `group.create` / `group.invite` (docs/protocol.md,
 * "Group calls"): the `invite` field is the invite as UTF-8 JSON, base64url. The signature is not
 * over these bytes but over the invite's canonical encoding (shared/crypto/group-invite.ts), which
 * the receiver rebuilds from the parsed fields, so the JSON's spelling cannot matter.
 */
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import type { GroupInvite } from '../../../shared/crypto/group-invite';
import { callIdSchema, MAX_GROUP_INVITEES, MAX_SIGNED_INVITE_BYTES } from '../../../shared/protocol';
import { GroupError } from './group-error';
import type { SignedGroupInvite } from './invite-book';

const inviteJsonSchema = z
  .object({
    groupId: z.string().min(1).max(256),
    owner: z.string().min(1).max(256),
    invitees: z.array(z.string().min(1).max(256)).min(1).max(MAX_GROUP_INVITEES),
    media: z.enum(['audio', 'video']),
    issuedAt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    upgrade: z.object({ callId: callIdSchema, tag: z.string().max(64) }).strict().optional(),
  })
  .strict();

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeInviteField(invite: GroupInvite): string {
  const upgrade = invite.upgrade === undefined ? {} : { upgrade: { callId: invite.upgrade.callId, tag: toBase64Url(invite.upgrade.tag) } };
  return toBase64Url(utf8.encode(JSON.stringify({ groupId: invite.groupId, owner: invite.owner, invitees: invite.invitees, media: invite.media, issuedAt: invite.issuedAt, ...upgrade })));
}

/** The signed invite carried by a server message, or a 'bad-invite' error; the signature is checked later (InviteBook). */
export function decodeSignedInvite(field: string, signature: string): SignedGroupInvite {
  let parsed: unknown;
  try {
    const bytes = fromBase64Url(field);
    if (bytes.length > MAX_SIGNED_INVITE_BYTES) throw new Error('too long');
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    throw new GroupError('bad-invite', 'the signed invite is not UTF-8 JSON in base64url');
  }
  const result = inviteJsonSchema.safeParse(parsed);
  if (!result.success) throw new GroupError('bad-invite', 'the signed invite lacks a field or has a wrong one');
  let signatureBytes: Uint8Array;
  try {
    signatureBytes = fromBase64Url(signature);
  } catch {
    throw new GroupError('bad-invite', "the invite's signature is not base64url");
  }
  const { upgrade, ...fields } = result.data;
  if (upgrade === undefined) return { invite: fields, signature: signatureBytes };
  let tag: Uint8Array;
  try {
    tag = fromBase64Url(upgrade.tag);
  } catch {
    throw new GroupError('bad-invite', "the invite's upgrade tag is not base64url");
  }
  return { invite: { ...fields, upgrade: { callId: upgrade.callId, tag } }, signature: signatureBytes };
}

/** Whether the relayed fields (group, owner, invitees, media) are the ones the owner signed. */
export function relayedMatchesSigned(
  signed: SignedGroupInvite,
  relayed: { groupId: string; owner: string; invitees: readonly string[]; media?: { audio: boolean; video: boolean } },
): boolean {
  const { invite } = signed;
  if (invite.groupId !== relayed.groupId || invite.owner !== relayed.owner) return false;
  if (invite.invitees.length !== relayed.invitees.length || invite.invitees.some((id, i) => id !== relayed.invitees[i])) return false;
  if (relayed.media !== undefined && invite.media !== (relayed.media.video ? 'video' : 'audio')) return false;
  return true;
}
