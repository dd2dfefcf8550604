import type { GroupKeys } from '../../../shared/ipc';
import type { CryptoReport } from '../../workers/frame-crypto-messages';
import type { FrameCryptoClient } from '../frame-crypto-client';
import type { GroupCryptoReport, GroupSenderCounts } from './group-diagnostics';

/** The worker's group-keys entry point, which the frame-crypto client gains with group keys. */
interface GroupKeyLoader {
  loadGroupKeys(keys: GroupKeys): void;
}

function hasGroupKeys(client: FrameCryptoClient): client is FrameCryptoClient & GroupKeyLoader {
  return typeof (client as Partial<GroupKeyLoader>).loadGroupKeys === 'function';
}

/** Hands an epoch's keys to the worker, which owns and zeroes the base key. */
export function loadGroupKeys(client: FrameCryptoClient, keys: GroupKeys): void {
  if (!hasGroupKeys(client)) throw new Error('this version of Sealcall cannot encrypt group call media');
  client.loadGroupKeys(keys);
}

/** The worker's report with its per-sender counts (none until the worker has group keys). */
export function reportWithSenders(report: CryptoReport): GroupCryptoReport {
  const senders = (report as Partial<{ senders: GroupSenderCounts[] }>).senders;
  return { ...report, senders: Array.isArray(senders) ? senders : [] };
}
