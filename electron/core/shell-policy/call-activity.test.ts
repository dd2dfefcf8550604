import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../shared/ipc';
import { callActivity, quitAnswer, quitConfirmation, windowCloseDecision } from './call-activity';

function view(state: CallView['state']): CallView {
  return {
    callId: 'c4ll1d-0123456789abcdefghij',
    peerId: 'bob',
    peerName: 'Bob Builder',
    direction: 'outgoing',
    state,
    media: { audio: true, video: true },
    remoteMedia: null,
    startedAt: 1,
    connectedAt: null,
    endedAt: null,
    endReason: null,
    shortCode: null,
    peerVerified: false,
    peerKeyChanged: false,
  };
}

describe('callActivity', () => {
  it.each(['outgoing', 'ringing', 'connecting', 'connected'] as const)('counts %s as an active call that keeps the display awake', (state) => {
    expect(callActivity(view(state))).toEqual({ active: { callId: 'c4ll1d-0123456789abcdefghij', peerName: 'Bob Builder' }, keepDisplayAwake: true });
  });

  it.each(['incoming', 'ended'] as const)('does not count %s', (state) => {
    expect(callActivity(view(state))).toEqual({ active: null, keepDisplayAwake: false });
  });

  it('is idle without a call', () => {
    expect(callActivity(null)).toEqual({ active: null, keepDisplayAwake: false });
  });
});

describe('quitting', () => {
  it('asks before quitting during a call, defaulting to staying', () => {
    const question = quitConfirmation(callActivity(view('connected')));
    expect(question).toMatchObject({ message: 'You are in a call with Bob Builder.', defaultId: 1, cancelId: 1 });
    expect(question?.buttons[question.defaultId]).toBe('Stay in Call');
  });

  it('quits without asking when there is no active call', () => {
    expect(quitConfirmation(callActivity(null))).toBeNull();
    expect(quitConfirmation(callActivity(view('incoming')))).toBeNull();
  });

  it('reads the answer', () => {
    expect(quitAnswer(0)).toBe('hang-up-and-quit');
    expect(quitAnswer(1)).toBe('stay');
    expect(quitAnswer(-1)).toBe('stay');
  });

  it('hides the window on close, so calls still ring, and closes it only when quitting', () => {
    expect(windowCloseDecision({ quitting: false })).toBe('hide');
    expect(windowCloseDecision({ quitting: true })).toBe('close');
  });
});
