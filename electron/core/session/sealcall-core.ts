import { loadSodium } from '../../../shared/crypto/sodium';
import { IpcError, type CallView, type EventChannel, type EventOf, type HistoryView, type IdentityStatus, type SettingsView } from '../../../shared/ipc';
import type { SettingsPatch } from '../../../shared/settings-schema';
import { pinMacKey } from '../contacts/pin-mac';
import { groupEventToWire } from '../group/group-event-wire';
import { PinStore } from '../contacts/pin-store';
import { DirectoryCopyStore, directoryMacKey } from '../directory/directory-copy';
import { openCallHistory, type CallHistory } from '../history/call-history';
import type { PwhashParams } from '../keystore/passphrase-sealer';
import type { HostPorts } from '../ports';
import { ConfigError, enterpriseServerUrl, loadEnterpriseConfig, type EnterpriseConfig } from '../settings/enterprise-config';
import { openSettingsStore, SettingsError, type SettingsStore } from '../settings/settings-store';
import { historyEntryFor } from './history-outcome';
import { IdentityManager, type OpenIdentity } from './identity-manager';
import { OnlineSession, type OnlineSessionOptions } from './online-session';

export interface CoreTuning {
  /** Tests lower Argon2id's cost; production keeps the sealer's default. */
  pwhash?: PwhashParams;
  timeouts?: OnlineSessionOptions['timeouts'];
  /** Tests shorten the group-call waits (read at each use, so a test may change it between steps). */
  groups?: OnlineSessionOptions['groups'];
}

type Emit = <E extends EventChannel>(event: E, payload: EventOf<E>) => void;

/**
 * The main process's state, composed: settings and the enterprise config, call history, the
 * identity, and, once the identity is open, the online session. Handlers reach everything
 * through here.
 */
export class SealcallCore {
  private online: OnlineSession | undefined;
  private pinStore: PinStore | undefined;
  private pinMacKey: Uint8Array | undefined;
  private directoryMacKey: Uint8Array | undefined;

  private constructor(
    private readonly ports: HostPorts,
    private readonly emit: Emit,
    readonly identity: IdentityManager,
    private readonly settings: SettingsStore | undefined,
    private readonly history: CallHistory,
    private readonly configProblem: string | undefined,
    private readonly tuning: CoreTuning,
    /** The organization's update feed, if its config names one. */
    readonly updateUrl: string | undefined,
    /** The key releases on that feed must be signed with (docs/deployment.md, "Signed updates"). */
    readonly updatePublicKey: string | undefined,
  ) {
  }

  static async open(ports: HostPorts, emit: Emit, tuning: CoreTuning = {}): Promise<SealcallCore> {
    await loadSodium();
    let enterprise: EnterpriseConfig = {};
    let configProblem: string | undefined;
    try {
      enterprise = await loadEnterpriseConfig(ports.enterpriseConfigPath);
    } catch (error) {
      // The organization's locks cannot be honoured from a broken file, so the app does not start
      // its session on a guess; it says which field is wrong.
      configProblem = error instanceof ConfigError ? error.message : "the organization's Sealcall config file cannot be read";
    }
    const settings = configProblem === undefined ? await openSettingsStore({ dataDir: ports.dataDir, enterprise }) : undefined;
    const history = await openCallHistory({ dataDir: ports.dataDir });
    const locked = enterpriseServerUrl(enterprise);
    const identity = new IdentityManager({
      dataDir: ports.dataDir,
      osSealer: ports.osSealer ?? null,
      ...(locked?.locked ? { lockedServerUrl: locked.url } : {}),
      ...(tuning.pwhash ? { pwhash: tuning.pwhash } : {}),
    });
    const core = new SealcallCore(ports, emit, identity, settings, history, configProblem, tuning, enterprise.updateUrl, enterprise.updatePublicKey);
    if (configProblem === undefined) {
      const opened = await identity.openWithKeychain().catch(() => undefined);
      if (opened) await core.goOnline(opened);
    }
    return core;
  }

  async identityStatus(): Promise<IdentityStatus> {
    if (this.configProblem !== undefined) return { state: 'error', code: 'config-invalid', message: this.configProblem };
    return this.identity.status();
  }

  async enroll(request: { link: string; deviceName: string; passphrase?: string | undefined }): Promise<IdentityStatus> {
    this.refuseOnBadConfig();
    await this.goOnline(await this.identity.enroll(request), true);
    return this.announceIdentity();
  }

  async unlock(passphrase: string): Promise<IdentityStatus> {
    this.refuseOnBadConfig();
    await this.goOnline(await this.identity.unlock(passphrase));
    return this.announceIdentity();
  }

  /** The online session, or a clear error saying what the user must do first. */
  session(): OnlineSession {
    if (this.online) return this.online;
    throw new IpcError(this.identity.identity ? 'internal' : 'keystore-locked', 'unlock Sealcall (or enroll this computer) first');
  }

  settingsView(): SettingsView {
    const settings = this.requireSettings();
    const described = settings.describe();
    return { values: described.values, locked: [...described.locked], serverUrl: this.identity.identity?.serverUrl ?? null };
  }

  async setSettings(patch: SettingsPatch): Promise<SettingsView> {
    try {
      await this.requireSettings().set(patch);
    } catch (error) {
      if (error instanceof SettingsError) throw new IpcError(error.code === 'locked' ? 'setting-locked' : 'bad-request', error.message);
      throw error;
    }
    const view = this.settingsView();
    this.emit('settings.changed', view);
    return view;
  }

  historyView(): HistoryView {
    const names = new Map(this.online?.contacts.list().map((contact) => [contact.id, contact.displayName]));
    return {
      items: this.history.list().map((item) => ({
        callId: item.callId,
        peerId: item.peerId,
        peerName: names.get(item.peerId) ?? item.peerId,
        direction: item.direction,
        startedAt: item.startedAt,
        answeredAt: item.answeredAt ?? null,
        endedAt: item.endedAt,
        durationMs: item.durationMs,
        outcome: item.outcome,
        reason: item.reason ?? null,
        seen: item.seen,
      })),
      unseenMissed: this.history.unseenMissed(),
    };
  }

  async markHistorySeen(): Promise<HistoryView> {
    await this.history.markSeen();
    const view = this.historyView();
    this.emit('history.changed', view);
    return view;
  }

  reconnectNow(): void {
    this.online?.reconnectNow();
  }

  /** See Host.rendererGone. A call still ringing here stays: a reloaded renderer can answer it. */
  rendererGone(): void {
    this.online?.groups.rendererGone();
    const calls = this.online?.calls;
    const current = calls?.current();
    if (calls === undefined || current == null || current.state === 'ended' || current.state === 'incoming') return;
    calls.hangup(current.callId, 'connection-lost');
  }

  relayOnly(): boolean {
    return this.settings?.effective().relayOnly ?? false;
  }

  async close(): Promise<void> {
    const closing = this.online?.close();
    this.online = undefined;
    await closing;
    await this.pinStore?.flush();
    this.pinMacKey?.fill(0);
    this.directoryMacKey?.fill(0);
  }

  private refuseOnBadConfig(): void {
    if (this.configProblem !== undefined) throw new IpcError('bad-request', this.configProblem);
  }

  private requireSettings(): SettingsStore {
    if (this.settings === undefined) throw new IpcError('bad-request', this.configProblem ?? 'settings are unavailable');
    return this.settings;
  }

  private async announceIdentity(): Promise<IdentityStatus> {
    const status = await this.identityStatus();
    this.emit('identity.changed', status);
    return status;
  }

  private async goOnline(identity: OpenIdentity, justEnrolled = false): Promise<void> {
    if (this.online) return;
    this.pinMacKey = await pinMacKey(identity.keyPair.secretKey);
    const pinStore = new PinStore(this.ports.dataDir, this.pinMacKey);
    this.pinStore = pinStore;
    const { document: pins } = await pinStore.load({ justEnrolled });
    this.directoryMacKey = await directoryMacKey(identity.keyPair.secretKey);
    const directoryStore = new DirectoryCopyStore(this.ports.dataDir, this.directoryMacKey);
    // A new identity's MAC key fails any copy an earlier one left, so that copy is never read.
    const stored = await directoryStore.load();
    const notify = this.ports.notify;
    this.online = new OnlineSession({
      identity,
      pins,
      directory: { store: directoryStore, stored },
      historyPeers: () => this.history.list().map((item) => item.peerId),
      savePins: (next) => {
        pinStore.save(next, () => undefined);
      },
      ...(this.tuning.timeouts ? { timeouts: this.tuning.timeouts } : {}),
      ...(this.tuning.groups ? { groups: this.tuning.groups } : {}),
      inHistory: (callId) => this.history.has(callId),
      events: {
        connection: (state) => {
          this.emit('connection.changed', state);
          notify?.presence(state.state === 'online' ? 'online' : state.state === 'connecting' ? 'connecting' : 'offline');
        },
        contacts: (contacts) => {
          this.emit('contacts.changed', contacts);
        },
        'call.event': (event) => {
          this.emit('call.event', event);
        },
        'group.event': (event) => {
          this.emit('group.event', groupEventToWire(event));
        },
        incomingCall: (view) => {
          notify?.show({ kind: 'incoming-call', callId: view.callId, fromId: view.peerId, fromName: view.peerName, video: view.remoteMedia?.video ?? false, keyChanged: view.peerKeyChanged });
        },
        callEnded: (view) => {
          void this.recordEnded(view);
        },
      },
    });
  }

  private async recordEnded(view: CallView): Promise<void> {
    const entry = historyEntryFor(view);
    try {
      await this.history.record(entry);
    } catch {
      // History is a convenience; a failed write must not disturb the call flow.
      return;
    }
    if (entry.outcome === 'missed') this.ports.notify?.show({ kind: 'missed-call', fromId: view.peerId, fromName: view.peerName });
    this.emit('history.changed', this.historyView());
    this.online?.contactsChanged();
  }
}
