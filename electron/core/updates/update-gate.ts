import type { UpdateManifest } from '../../../shared/update/update-manifest';
import { checkDownloadedFile } from './downloaded-file';
import { fetchSignedRelease, type SignedReleaseRequest } from './signed-release';
import { UpdateRefusal } from './update-refusal';

export interface UpdateLog {
  info(line: string): void;
  warn(line: string): void;
}

/**
 * The two questions the shell asks before electron-updater may act: may this offered version be
 * downloaded, and may this downloaded file be installed. Every refusal is one log line saying why.
 */
export interface UpdateGate {
  /** electron-updater's latest*.yml offers `offeredVersion`; true only if the signed manifest names that same, newer version. */
  approveRelease(offeredVersion: string): Promise<boolean>;
  /** electron-updater downloaded `file`; true only if it is in the approved manifest with its size and SHA-512. */
  approveDownload(file: string): Promise<boolean>;
}

export function createUpdateGate(request: SignedReleaseRequest, log: UpdateLog): UpdateGate {
  let approved: UpdateManifest | undefined;

  // Fails closed: an error nobody foresaw (a file that cannot be read mid-hash) refuses too.
  function refuse(error: unknown): false {
    if (error instanceof UpdateRefusal) log.warn(`update refused (${error.code}): ${error.message}`);
    else log.warn(`update refused (error): ${error instanceof Error ? error.message : 'unknown error'}`);
    return false;
  }

  return {
    async approveRelease(offeredVersion) {
      approved = undefined;
      try {
        const manifest = await fetchSignedRelease(request);
        // latest*.yml is unsigned: what it offers must be the release the key vouched for.
        if (manifest.version !== offeredVersion) {
          throw new UpdateRefusal('version-mismatch', `the feed's latest*.yml offers ${offeredVersion.slice(0, 64)}, but the signed manifest is for ${manifest.version}`);
        }
        approved = manifest;
        log.info(`update ${manifest.version}: signed manifest verified with the pinned key; downloading`);
        return true;
      } catch (error) {
        return refuse(error);
      }
    },

    async approveDownload(file) {
      try {
        if (!approved) throw new UpdateRefusal('file-not-listed', 'a download finished without a verified signed manifest');
        await checkDownloadedFile(approved, file);
        log.info(`update ${approved.version}: the downloaded file matches the signed manifest; it installs when Sealcall quits`);
        return true;
      } catch (error) {
        return refuse(error);
      }
    },
  };
}
