import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GroupCallScreen, type GroupCallParticipant } from '../../renderer/screens/group/GroupCallScreen';
import type { Invitee } from '../../renderer/screens/group/participant-sections';
import '../../renderer/styles.css';

/*
 * The group call screen alone, for e2e/screens-meeting.harness.spec.ts: a meeting of any size,
 * with what the engine would give it (members, hands, the active speaker) set by the spec through
 * window.meetingPage, and what the screen asks of the engine (visible members, raise hand)
 * recorded there. Every member's video is one canvas stream, so a tile on the page shows a real
 * <video> and one off it shows none.
 */

export interface MeetingSetup {
  /** Everyone else's display names; yours is "Me Myself". */
  others: string[];
  invitees: Invitee[];
}

export interface MeetingPageApi {
  setup(setup: MeetingSetup): void;
  /** user id → the order their hand went up (yours through the button). */
  setHands(hands: Record<string, number>): void;
  setActiveSpeaker(userId: string | null): void;
  /** Each list of visible members the screen reported, oldest first. */
  visible: string[][];
}

declare global {
  interface Window {
    meetingPage: MeetingPageApi;
  }
}

function cameraStream(): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  const context = canvas.getContext('2d');
  let hue = 0;
  const paint = () => {
    if (context !== null) {
      context.fillStyle = `hsl(${hue % 360} 60% 40%)`;
      context.fillRect(0, 0, canvas.width, canvas.height);
    }
    hue += 5;
  };
  paint();
  setInterval(paint, 100);
  return canvas.captureStream(10);
}

const stream = cameraStream();
const api: MeetingPageApi = {
  setup: () => undefined,
  setHands: () => undefined,
  setActiveSpeaker: () => undefined,
  visible: [],
};
window.meetingPage = api;

/** "u01", "u02"…: the other members' user ids, in the order of their names in the setup. */
export function userIdOf(index: number): string {
  return `u${String(index + 1).padStart(2, '0')}`;
}

function Meeting() {
  const [setup, setSetup] = useState<MeetingSetup>({ others: [], invitees: [] });
  const [hands, setHands] = useState<Record<string, number>>({});
  const [speaker, setSpeaker] = useState<string | null>(null);
  api.setup = setSetup;
  api.setHands = setHands;
  api.setActiveSpeaker = setSpeaker;

  const member = (userId: string, displayName: string, self: boolean): GroupCallParticipant => ({
    userId,
    displayName,
    self,
    owner: self,
    verified: false,
    keyChanged: false,
    stream,
    muted: false,
    cameraOff: false,
    sharing: false,
    connection: 'connected',
    handOrder: hands[userId] ?? null,
  });
  const participants = [member('me', 'Me Myself', true), ...setup.others.map((name, index) => member(userIdOf(index), name, false))];
  return (
    <GroupCallScreen
      title="Design review"
      connectedAt={Date.now()}
      participants={participants}
      invitees={setup.invitees}
      activeSpeaker={speaker}
      securityCode="12345 67890 12345 67890"
      encryption="encrypted"
      notices={[]}
      error={null}
      audioOutputId=""
      controlsEnabled
      onMuted={() => undefined}
      onCameraOff={() => undefined}
      onShareScreen={() => undefined}
      onRaiseHand={(raised) => {
        setHands((current) => {
          const next = { ...current };
          if (raised) next['me'] = Math.max(0, ...Object.values(current)) + 1;
          else delete next['me'];
          return next;
        });
      }}
      onVisibleMembers={(userIds) => {
        api.visible.push([...userIds]);
      }}
      onLeave={() => undefined}
      onEndForEveryone={() => undefined}
      onShowSafetyNumber={() => undefined}
    />
  );
}

const container = document.getElementById('root');
if (container === null) throw new Error('the page lost its #root element');
createRoot(container).render(<Meeting />);
