import type { GroupKeys, GroupSeat, GroupView } from '../../../shared/ipc';
import type { SignalData } from '../../../shared/protocol/call';
import type { CallPrerequisites } from '../call-prerequisites';
import { SfuSession, type SfuDeps } from '../sfu/sfu-session';
import type { GroupMediaSession } from './group-call-controller';
import type { GroupCryptoReport, GroupMemberStats } from './group-diagnostics';
import type { GroupMedia, GroupRemoteMember } from './group-engine-types';
import { GroupMesh, type GroupMeshEvents, type GroupMeshSettings } from './group-mesh';

/** While the SFU comes up, how often the switch looks whether it decodes everyone yet. */
const SWITCH_CHECK_MS = 250;

/**
 * A group call's media on whichever transport the call's view names (docs/group-calls.md,
 * "Meetings over the SFU"): the mesh while it says 'mesh', the SFU once it says 'sfu'. The
 * camera, the microphone, the DTLS certificate and the frame-crypto worker (with the keys it holds)
 * are the call's, made once by the mesh's prepare(); the SFU session sends and receives through
 * them. A call that turns 'sfu' opens no pair any more, and closes its pairs once the SFU decodes
 * every member they carried (make before break), without the user doing anything.
 */
export class GroupCallMedia implements GroupMediaSession {
  readonly mesh: GroupMesh;
  #sfu: SfuSession | null = null;
  /** The SFU carries the call's media; the mesh's pairs are closed. */
  #switched = false;
  #wantsSfu = false;
  #seat: GroupSeat | null = null;
  #view: GroupView | null = null;
  #checking: ReturnType<typeof setInterval> | undefined;
  #checkRunning = false;
  /** When the SFU session opened and when the pairs closed (performance.now()), for the e2e switch measurement. */
  readonly switchTimes: { sfuOpened: number | null; pairsClosed: number | null } = { sfuOpened: null, pairsClosed: null };
  readonly #events: GroupMeshEvents;
  readonly #sfuDeps: SfuDeps;

  constructor(init: {
    groupId: string;
    selfId: string;
    prerequisites: CallPrerequisites;
    settings: GroupMeshSettings;
    events: GroupMeshEvents;
    /** For the SFU session, when the call moves there: the engine's member states and grid page, and the core's way to Janus. */
    sfu: SfuDeps;
  }) {
    this.#events = init.events;
    this.#sfuDeps = init.sfu;
    this.mesh = new GroupMesh(init);
  }

  get groupId(): string {
    return this.mesh.groupId;
  }

  /**
   * The mesh's certificate: the core signs it for every pair. A call that starts on the SFU has
   * none, but the core's start and accept take one (and a pair-less call is harmless with it).
   */
  get fingerprint(): string {
    return this.mesh.fingerprint;
  }

  get transport(): 'mesh' | 'sfu' {
    return this.#switched ? 'sfu' : 'mesh';
  }

  get sfu(): SfuSession | null {
    return this.#sfu;
  }

  async prepare(media: GroupMedia): Promise<void> {
    await this.mesh.prepare(media);
    // A view or seat that came while the camera was starting.
    if (this.#wantsSfu) this.#openSfu();
  }

  loadKeys(keys: GroupKeys): void {
    this.mesh.loadKeys(keys);
  }

  updateMembers(view: GroupView): void {
    if (this.isClosed() || view.groupId !== this.groupId) return;
    this.#view = view;
    if (view.transport === 'sfu') {
      this.#wantsSfu = true;
      this.mesh.stopOpening();
      this.#openSfu();
    }
    // The pairs of members gone still close; while on the SFU no new one opens.
    this.mesh.updateMembers(view);
    this.#sfu?.updateMembers(view);
    this.#checkSwitch();
  }

  refusePair(userId: string): void {
    this.mesh.refusePair(userId);
  }

  receiveSignal(from: string, data: SignalData): void {
    this.mesh.receiveSignal(from, data);
  }

  receiveSeat(seat: GroupSeat): void {
    if (this.isClosed()) return;
    this.#seat = seat;
    this.#wantsSfu = true;
    this.mesh.stopOpening();
    this.#openSfu();
    this.#sfu?.receiveSeat(seat);
  }

  isClosed(): boolean {
    return this.mesh.isClosed();
  }

  close(): Promise<GroupCryptoReport> {
    clearInterval(this.#checking);
    this.#sfu?.close();
    return this.mesh.close();
  }

  remoteMembers(): GroupRemoteMember[] {
    if (this.isClosed()) return [];
    const sfu = this.#sfu;
    if (this.#switched && sfu !== null) return sfu.remoteMembers();
    return [...this.mesh.pairs.values()].map((pair) => ({
      userId: pair.userId,
      stream: pair.isClosed() ? null : pair.peer.remoteStream,
      connected: pair.connected,
      reconnecting: pair.reconnecting,
      muted: pair.remote.muted,
      cameraOff: pair.remote.cameraOff,
      sharing: pair.remote.sharing,
    }));
  }

  remoteSharer(): string | null {
    return this.#switched ? (this.#sfu?.remoteSharer() ?? null) : this.mesh.remoteSharer();
  }

  memberStats(): Promise<GroupMemberStats[]> {
    if (this.isClosed()) return Promise.resolve([]);
    const sfu = this.#sfu;
    return this.#switched && sfu !== null ? sfu.memberStats() : this.mesh.memberStats();
  }

  audioLevels(): Map<string, number> {
    const sfu = this.#sfu;
    return this.#switched && sfu !== null ? sfu.audioLevels() : this.mesh.audioLevels();
  }

  #openSfu(): void {
    if (this.#sfu !== null || this.isClosed()) return;
    const shared = this.mesh.shared();
    if (shared === null) return;
    const sfu = new SfuSession({
      groupId: this.groupId,
      selfId: this.mesh.selfId,
      shared,
      deps: this.#sfuDeps,
      events: {
        changed: () => {
          this.#checkSwitch();
          this.#events.changed();
        },
        notice: (message) => {
          this.#events.notice(message);
        },
      },
    });
    this.#sfu = sfu;
    this.switchTimes.sfuOpened = performance.now();
    if (this.#view !== null) sfu.updateMembers(this.#view);
    if (this.#seat !== null) sfu.receiveSeat(this.#seat);
    this.#checking = setInterval(() => {
      this.#checkSwitch();
    }, SWITCH_CHECK_MS);
  }

  /** Closes the pairs once the SFU decodes every member a connected pair still carries. */
  #checkSwitch(): void {
    const sfu = this.#sfu;
    if (this.#switched || sfu === null || this.#checkRunning || this.isClosed()) return;
    const carried = [...this.mesh.pairs.values()].filter((pair) => pair.connected).map((pair) => pair.userId);
    this.#checkRunning = true;
    void (carried.length === 0 ? Promise.resolve([]) : sfu.memberStats())
      .then((stats) => {
        if (this.#switched || this.isClosed()) return;
        const decoding = new Set(stats.filter((entry) => entry.framesDecoded > 0 || entry.totalSamplesReceived > 0).map((entry) => entry.userId));
        if (!carried.every((userId) => decoding.has(userId))) return;
        this.#switched = true;
        clearInterval(this.#checking);
        this.mesh.closePairs();
        this.switchTimes.pairsClosed = performance.now();
        this.#events.changed();
      })
      .catch(() => undefined)
      .finally(() => {
        this.#checkRunning = false;
      });
  }
}
