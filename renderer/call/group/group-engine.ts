import type { SealcallBridge } from '../../../shared/ipc';
import { CallPrerequisites } from '../call-prerequisites';
import { captureDisplay } from '../display-capture';
import { GroupCallController } from './group-call-controller';
import type { GroupEngineOptions, InspectableGroupEngine } from './group-diagnostics';
import type { GroupEngineState } from './group-engine-types';
import { GroupCallMedia } from './group-call-media';
import type { GroupMesh } from './group-mesh';
import { MemberStates } from './member-states';
import { emptyReport } from '../../workers/frame-crypto-messages';
import { bridgeJanusTransport } from '../sfu/janus-transport';

function messageOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return fallback;
}

function idleGroupState(): GroupEngineState {
  return {
    view: null,
    starting: null,
    answering: false,
    localStream: null,
    muted: false,
    cameraOff: false,
    sharing: false,
    remote: [],
    handRaised: false,
    memberStates: new Map(),
    hands: new Map(),
    encryption: 'idle',
    error: null,
  };
}

/**
 * The group call engine: the GroupCallController (which group, in what order, when the mesh opens
 * and closes) wired to the real mesh (GroupMesh: camera, one peer per member, the frame-crypto
 * worker), plus what only media has: the state the screens render, mute, camera and screen share.
 */
export function createGroupCallEngine(bridge: SealcallBridge, prerequisites = new CallPrerequisites(bridge)): InspectableGroupEngine {
  const options: Required<GroupEngineOptions> = { preferLegacyTransforms: false, keepWorkerAfterLeave: false };
  let state = idleGroupState();
  const listeners = new Set<(state: GroupEngineState) => void>();
  let selfId: Promise<string> | null = null;
  let memberStates: MemberStates | null = null;
  let visibleMembers: readonly string[] = [];

  const emit = () => {
    for (const listener of [...listeners]) listener(state);
  };
  const update = (patch: Partial<GroupEngineState>) => {
    state = { ...state, ...patch };
    if (state.view !== null) memberStates?.updateView(state.view);
    memberStates?.setOwn({ muted: state.muted, cameraOff: state.cameraOff, sharing: state.sharing, handRaised: state.handRaised });
    emit();
  };

  const refresh = (call: GroupCallMedia) => {
    if (call !== controller.session) return;
    const { mesh } = call;
    const live = !mesh.isClosed();
    const report = mesh.crypto.report;
    update({
      localStream: live ? (mesh.media?.stream ?? null) : null,
      muted: mesh.media?.muted ?? state.muted,
      cameraOff: mesh.media?.cameraOff ?? state.cameraOff,
      sharing: live && mesh.sharing,
      remote: live ? call.remoteMembers() : [],
      encryption: live && mesh.keysLoaded && report.keysLoaded && !report.keysWiped ? (mesh.health.failing() ? 'cant-decrypt' : 'encrypted') : 'idle',
    });
  };

  const controller: GroupCallController<GroupCallMedia> = new GroupCallController<GroupCallMedia>({
    bridge,
    selfId: () => {
      selfId ??= bridge.invoke('identity.status').then((status) => {
        if (status.state !== 'ready') throw new Error('Unlock Sealcall before joining a group call.');
        return status.userId;
      });
      selfId.catch(() => {
        selfId = null;
      });
      return selfId;
    },
    openSession: (init, events) => {
      // The one store of the members' states: the screens read it, and the SFU session shows it on its members.
      const states: MemberStates = new MemberStates({
        groupId: init.groupId,
        selfId: init.selfId,
        bridge,
        changed: () => {
          if (states !== memberStates) return;
          update({ memberStates: states.states, hands: states.hands });
          refresh(call);
        },
      });
      const call: GroupCallMedia = new GroupCallMedia({
        ...init,
        prerequisites,
        settings: { preferLegacyTransforms: options.preferLegacyTransforms, keepWorkerAfterLeave: options.keepWorkerAfterLeave },
        sfu: {
          memberState: (userId) => states.stateOf(userId),
          visibleMembers: () => visibleMembers,
          janus: bridgeJanusTransport(bridge, init.groupId),
        },
        events: {
          ...events,
          changed: () => {
            refresh(call);
          },
          problem: (message) => {
            console.error(`frame crypto: ${message}`);
          },
          notice: (message) => {
            controller.showError(message);
          },
        },
      });
      state = { ...idleGroupState(), view: state.view, starting: state.starting, answering: state.answering };
      memberStates?.close();
      memberStates = states;
      return call;
    },
    memberState: (member) => {
      if (memberStates?.groupId === member.groupId) memberStates.receive(member.userId, member.state, member.seq);
    },
    changed: (controllerState) => {
      update({ ...controllerState });
    },
    closed: (call) => {
      memberStates?.close();
      memberStates = null;
      refresh(call);
      prerequisites.permissions.warm();
    },
    ringing: () => {
      prerequisites.warm();
    },
  });
  const active = (): GroupMesh | null => controller.liveSession()?.mesh ?? null;
  const activeCall = (): GroupCallMedia | null => controller.liveSession();

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    start: (invitees, media, startOptions) => controller.start(invitees, media, startOptions),
    accept: (media, acceptOptions) => controller.accept(media, acceptOptions),
    decline: () => controller.decline(),
    leave: () => controller.leave(),
    endForEveryone: () => controller.end(),
    invite: (userIds) => controller.invite(userIds),
    remove: (userId) => controller.remove(userId),
    setMuted(muted) {
      update({ muted });
      active()
        ?.setMuted(muted)
        .catch((error: unknown) => {
          controller.showError(messageOf(error, 'The microphone could not be started.'));
        });
    },
    setCameraOff(off) {
      update({ cameraOff: off });
      active()
        ?.setCameraOff(off)
        .catch((error: unknown) => {
          update({ cameraOff: true });
          controller.showError(messageOf(error, 'The camera could not be started.'));
        });
    },
    async shareScreen() {
      const mesh = active();
      if (mesh === null) throw new Error('There is no call to share your screen in.');
      if (activeCall()?.remoteSharer() !== null) throw new Error('Someone else is sharing their screen. Only one person can share at a time.');
      const track = await captureDisplay();
      if (mesh !== active()) {
        // Left while the capture was starting: the OS's sharing indicator must not stay on.
        track.stop();
        return;
      }
      await mesh.startScreenShare(track);
    },
    async stopScreenShare() {
      await active()?.stopScreenShare();
    },
    setHandRaised(raised) {
      if (active() !== null) update({ handRaised: raised });
    },
    setVisibleMembers(userIds) {
      // Read by the SFU session, which picks each member's simulcast layer by it (renderer/call/sfu/layer-choice.ts).
      visibleMembers = [...userIds];
    },
    visibleMembers: () => visibleMembers,
    dismissError() {
      controller.showError(null);
    },
    audioLevels() {
      return activeCall()?.audioLevels() ?? new Map<string, number>();
    },
    inspect() {
      const call = controller.session;
      const mesh = call?.mesh ?? null;
      return {
        view: controller.state.view,
        transport: call?.transport ?? null,
        switchTimes: call === null ? null : { ...call.switchTimes },
        peers:
          mesh === null || mesh.isClosed()
            ? []
            : [...mesh.pairs.values()].map((pair) => ({ userId: pair.userId, connected: pair.connected, iceState: pair.isClosed() ? null : pair.iceState, iceRestarts: pair.iceRestarts })),
        localTracks: mesh?.media?.trackStates() ?? [],
        sfuLayers: [...(call?.sfu?.videoLayers() ?? [])].map(([userId, layer]) => ({ userId, layer })),
        crypto: mesh?.report ?? emptyReport(),
        transformApi: mesh?.transformApi ?? null,
        worker: mesh?.crypto ?? null,
        stats: () => (call === null || call.isClosed() ? Promise.resolve([]) : call.memberStats()),
      };
    },
    configure(next) {
      if (next.preferLegacyTransforms !== undefined) options.preferLegacyTransforms = next.preferLegacyTransforms;
      if (next.keepWorkerAfterLeave !== undefined) options.keepWorkerAfterLeave = next.keepWorkerAfterLeave;
    },
  };
}
