import { generateIdentityKeyPair, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { IpcError, type IdentityStatus } from '../../../shared/ipc';
import { enrollDevice, EnrollmentError } from '../connection/server-connection';
import { DeepLinkError, parseSealcallLink } from '../deep-link';
import { keystoreStatus, KeystoreError, openIdentity, saveIdentity, type KeystoreStatus } from '../keystore/keystore';
import { createPassphraseSealer, type PwhashParams } from '../keystore/passphrase-sealer';
import { SealerError } from '../keystore/sealer-error';
import type { SecretSealer } from '../ports';

/** Who this device is, once its key is open. Lives only in the main process. */
export interface OpenIdentity {
  userId: string;
  displayName: string;
  serverUrl: string;
  keyPair: IdentityKeyPair;
  sealer: 'os-keychain' | 'passphrase';
}

export interface IdentityManagerOptions {
  dataDir: string;
  /** Null where the OS keychain is unavailable or insecure: then a passphrase is required. */
  osSealer: SecretSealer | null;
  /** Set by the organization's config: enrollment links for other servers are refused. */
  lockedServerUrl?: string;
  /** Tests lower the Argon2id cost; production uses the sealer's default. */
  pwhash?: PwhashParams;
}

/**
 * Enrollment, unlocking and status of the device identity. It never makes a new key except on a
 * deliberate enrollment, so a damaged keystore is reported, not papered over.
 */
export class IdentityManager {
  private opened: OpenIdentity | undefined;

  constructor(private readonly options: IdentityManagerOptions) {}

  get identity(): OpenIdentity | undefined {
    return this.opened;
  }

  async status(): Promise<IdentityStatus> {
    if (this.opened) return readyStatus(this.opened);
    return statusFrom(await keystoreStatus(this.options.dataDir), this.options.osSealer === null);
  }

  /** Opens the key without asking, where the OS keychain holds it. */
  async openWithKeychain(): Promise<OpenIdentity | undefined> {
    const stored = await keystoreStatus(this.options.dataDir);
    if (stored.state !== 'present' || stored.sealer !== 'os-keychain' || this.options.osSealer === null) return undefined;
    return this.open(this.options.osSealer, 'os-keychain');
  }

  async unlock(passphrase: string): Promise<OpenIdentity> {
    if (this.opened) return this.opened;
    const stored = await keystoreStatus(this.options.dataDir);
    if (stored.state === 'absent') throw new IpcError('not-enrolled', 'this computer is not enrolled yet: open the enrollment link from IT');
    if (stored.state !== 'present') throw new IpcError('keystore-corrupt', stored.message);
    if (stored.sealer !== 'passphrase') throw new IpcError('bad-request', 'this key is kept in the system keychain, not under a passphrase');
    const sealer = createPassphraseSealer(passphrase, this.options.pwhash);
    try {
      return await this.open(sealer, 'passphrase');
    } finally {
      sealer.wipe();
    }
  }

  async enroll(request: { link: string; deviceName: string; passphrase?: string | undefined }): Promise<OpenIdentity> {
    const current = await keystoreStatus(this.options.dataDir);
    if (current.state !== 'absent') {
      throw new IpcError('already-enrolled', 'this computer is already enrolled; to move to another account, ask IT');
    }
    let link;
    try {
      link = parseSealcallLink(request.link);
    } catch (error) {
      throw new IpcError('invalid-link', error instanceof DeepLinkError ? error.message : 'this is not a Sealcall enrollment link');
    }
    if (link.kind !== 'enroll') throw new IpcError('invalid-link', 'this is a call link, not an enrollment link');
    const locked = this.options.lockedServerUrl;
    if (locked !== undefined && link.serverUrl !== locked) {
      throw new IpcError('invalid-link', `your organization's settings allow only the server ${locked}; this link is for another one`);
    }
    // Check the passphrase before the one-time code is spent on the server.
    const sealer = this.sealerForEnrollment(request.passphrase);
    try {
      const keyPair = await generateIdentityKeyPair();
      let welcome;
      try {
        welcome = await enrollDevice({ serverUrl: link.serverUrl, code: link.code, deviceName: request.deviceName, identity: keyPair });
      } catch (error) {
        throw new IpcError('enroll-failed', error instanceof EnrollmentError ? error.message : 'enrollment failed');
      }
      await saveIdentity(
        this.options.dataDir,
        { userId: welcome.userId, displayName: welcome.displayName, serverUrl: link.serverUrl, keyPair },
        sealer,
      );
      this.opened = { userId: welcome.userId, displayName: welcome.displayName, serverUrl: link.serverUrl, keyPair, sealer: sealer.kind };
      return this.opened;
    } finally {
      if ('wipe' in sealer && typeof sealer.wipe === 'function') sealer.wipe();
    }
  }

  private sealerForEnrollment(passphrase: string | undefined): SecretSealer & { wipe?: () => void } {
    if (this.options.osSealer !== null) return this.options.osSealer;
    if (passphrase === undefined) {
      throw new IpcError('weak-passphrase', 'this computer has no secure keychain: choose a passphrase to protect your key');
    }
    try {
      return createPassphraseSealer(passphrase, this.options.pwhash);
    } catch (error) {
      throw new IpcError('weak-passphrase', error instanceof SealerError ? error.message : 'choose a longer passphrase');
    }
  }

  private async open(sealer: SecretSealer, kind: OpenIdentity['sealer']): Promise<OpenIdentity> {
    try {
      const opened = await openIdentity(this.options.dataDir, sealer);
      this.opened = { userId: opened.userId, displayName: opened.displayName, serverUrl: opened.serverUrl, keyPair: opened.keyPair, sealer: kind };
      return this.opened;
    } catch (error) {
      throw toIpcError(error);
    }
  }
}

function readyStatus(identity: OpenIdentity): IdentityStatus {
  return { state: 'ready', userId: identity.userId, displayName: identity.displayName, serverUrl: identity.serverUrl, sealer: identity.sealer };
}

function statusFrom(stored: KeystoreStatus, passphraseRequired: boolean): IdentityStatus {
  switch (stored.state) {
    case 'absent':
      return { state: 'not-enrolled', passphraseRequired };
    case 'present':
      return { state: 'locked', userId: stored.userId, displayName: stored.displayName, serverUrl: stored.serverUrl };
    case 'corrupt':
      return { state: 'error', code: 'keystore-corrupt', message: stored.message };
    case 'unreadable':
      return { state: 'error', code: 'keystore-unreadable', message: stored.message };
    case 'unsupported-version':
      return { state: 'error', code: 'keystore-unsupported-version', message: stored.message };
  }
}

function toIpcError(error: unknown): IpcError {
  if (error instanceof IpcError) return error;
  if (error instanceof KeystoreError) {
    switch (error.code) {
      case 'wrong-passphrase':
        return new IpcError('wrong-passphrase', error.message);
      case 'weak-passphrase':
        return new IpcError('weak-passphrase', error.message);
      case 'missing':
        return new IpcError('not-enrolled', error.message);
      default:
        return new IpcError('keystore-corrupt', error.message);
    }
  }
  return new IpcError('internal', 'could not open the identity key');
}
