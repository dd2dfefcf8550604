import type { AuditEntry } from '../db/audit';

/**
 * A whole store as plain rows, for copying a single instance's SQLite store into an empty Redis
 * store once (`sealcall-server migrate-to-redis`). Versions and the epoch travel unchanged, so
 * clients keep their synced directories.
 */
export interface StoreDump {
  users: { id: string; displayName: string; createdAt: number; revokedAt: number | null; lastSeenAt: number | null; dirVersion: number }[];
  /** Live and retired devices: the audit trail says which key was valid when. */
  devices: { userId: string; identityKey: Uint8Array; deviceName: string; enrolledAt: number; retiredAt: number | null }[];
  invites: {
    codeHash: Uint8Array;
    userId: string;
    displayName: string;
    createdAt: number;
    expiresAt: number;
    usedAt: number | null;
    cancelledAt: number | null;
  }[];
  /** Oldest first. */
  revocations: { userId: string; revokedAt: number; reason: string | null }[];
  /** Oldest first. */
  audit: AuditEntry[];
  publicUrl: string | undefined;
  directoryEpoch: string;
  directoryVersion: number;
}
