import type { GroupMemberState, GroupView } from '../../../shared/ipc';

/*
 * The seam between the group call engine (the mesh of peers, the frame-crypto worker) and the
 * screens: the screens render from GroupEngineState and call the engine's methods; they never
 * touch RTCPeerConnection or keys. docs/group-calls.md, "The mesh".
 */

export type GroupMedia = 'audio' | 'video';

/** One other member's media as this page sees it. */
export interface GroupRemoteMember {
  userId: string;
  /** Their audio and video from this pair's receivers; null until the pair's peer exists. */
  stream: MediaStream | null;
  /** The pair's peer connection is up (DTLS done, fingerprint matched). */
  connected: boolean;
  /** ICE is down and being restarted on this pair. */
  reconnecting: boolean;
  /** What they told us over the pair's data channel; false until they have said. */
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
}

export interface GroupEngineState {
  /** The core's latest view of the group followed (the last one's end stays until another). */
  view: GroupView | null;
  /** A call this page is starting that the core has not shown yet. */
  starting: { groupId: string; invitees: string[]; media: GroupMedia } | null;
  /** The ringing call is being answered. */
  answering: boolean;
  /** Your own camera and microphone preview; null outside a call. */
  localStream: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  /** You share your screen. */
  sharing: boolean;
  /** The other members, in no particular order. */
  remote: GroupRemoteMember[];
  /** Your hand is up (member-states.ts sends it to everyone). */
  handRaised: boolean;
  /** The others' states as they last sent them with `group.memberState`; none until they do. */
  memberStates: ReadonlyMap<string, GroupMemberState>;
  /** Raised hands, yours included: user id to a number rising in the order they went up. */
  hands: ReadonlyMap<string, number>;
  /** Frames authenticate under the group's keys; 'cant-decrypt' when they keep failing. */
  encryption: 'idle' | 'encrypted' | 'cant-decrypt';
  /** A problem the user must see, or null. */
  error: string | null;
}

/** What the screens (and the e2e driver, through window.sealcallGroupDiagnostics) call. */
export interface GroupCallEngine {
  getState(): GroupEngineState;
  subscribe(listener: (state: GroupEngineState) => void): () => void;
  /** Starts a group call with 1 to 7 others. Rejects with the core's refusal ('key-changed' when the gate applies). */
  start(invitees: string[], media: GroupMedia, options?: { confirmKeyChange?: boolean; upgradeFrom?: string }): Promise<void>;
  /** Accepts the ringing group call, sending audio only or audio and video. */
  accept(media: GroupMedia, options?: { confirmKeyChange?: boolean }): Promise<void>;
  decline(): Promise<void>;
  /** Leaves; the others carry on. */
  leave(): Promise<void>;
  /** The owner ends the call for everyone. */
  endForEveryone(): Promise<void>;
  /** The owner invites more people into the running call. */
  invite(userIds: string[]): Promise<void>;
  /** The owner takes a member out of the call. */
  remove(userId: string): Promise<void>;
  setMuted(muted: boolean): void;
  setCameraOff(off: boolean): void;
  /**
   * Shares the screen on every pair. One sharer at a time: a new share takes over, and the
   * previous sharer stops when it hears of it (docs/group-calls.md, "The mesh").
   */
  shareScreen(): Promise<void>;
  stopScreenShare(): Promise<void>;
  setHandRaised(raised: boolean): void;
  /**
   * The members whose tiles are on the grid's page now. The SFU session pauses the video of the
   * others and picks theirs by how many tiles share the page (renderer/call/sfu/layer-choice.ts);
   * the mesh ignores it.
   */
  setVisibleMembers(userIds: readonly string[]): void;
  /** The members last given to setVisibleMembers, for the SFU session to act on. */
  visibleMembers(): readonly string[];
  /** Clears the error shown. */
  dismissError(): void;
  /** Every connected member's microphone level now (0 to 1), for the active speaker. */
  audioLevels(): ReadonlyMap<string, number>;
}
