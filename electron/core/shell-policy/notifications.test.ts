import { describe, expect, it } from 'vitest';
import type { Notification } from '../ports';
import { answerForAction, notificationPlan, type WindowState } from './notifications';

const incoming: Notification = { kind: 'incoming-call', callId: 'c4ll1d-0123456789abcdefghij', fromId: 'bob', fromName: 'Bob Builder', video: true, keyChanged: false };
const hidden: WindowState = { visible: false, focused: false };
const behind: WindowState = { visible: true, focused: false };
const focused: WindowState = { visible: true, focused: true };

describe('incoming-call notifications', () => {
  it('stays quiet when the window has the user, which rings by itself', () => {
    expect(notificationPlan(incoming, focused, 'darwin')).toEqual({ kind: 'none' });
  });

  it.each([
    ['hidden', hidden],
    ['unfocused', behind],
  ])('shows accept and decline on macOS and Windows when the window is %s', (_label, window) => {
    for (const platform of ['darwin', 'win32']) {
      const plan = notificationPlan(incoming, window, platform);
      expect(plan).toMatchObject({
        kind: 'show',
        tag: 'call:c4ll1d-0123456789abcdefghij',
        title: 'Bob Builder is calling',
        body: 'Video call from bob',
        urgency: 'critical',
        timeoutType: 'never',
      });
      expect(answerForAction(plan, 0)).toBe('accept');
      expect(answerForAction(plan, 1)).toBe('decline');
      expect(answerForAction(plan, 2)).toBeNull();
    }
  });

  it('offers no Accept for a caller whose safety number changed: answering needs the window', () => {
    for (const platform of ['darwin', 'win32']) {
      const plan = notificationPlan({ ...incoming, keyChanged: true }, hidden, platform);
      expect(plan).toMatchObject({ kind: 'show', title: "Bob Builder's safety number has changed", urgency: 'critical' });
      expect(plan.kind === 'show' && plan.buttons).toEqual([{ answer: 'decline', text: 'Decline' }]);
      expect(answerForAction(plan, 0)).toBe('decline');
      expect(answerForAction(plan, 1)).toBeNull();
    }
  });

  it('offers no buttons on Linux, where a click shows the window', () => {
    const plan = notificationPlan({ ...incoming, video: false }, hidden, 'linux');
    expect(plan).toMatchObject({ kind: 'show', body: 'Audio call from bob', buttons: [] });
    expect(answerForAction(plan, 0)).toBeNull();
  });

  it('keeps a long name to one line', () => {
    const plan = notificationPlan({ ...incoming, fromName: 'x'.repeat(200) }, hidden, 'win32');
    expect(plan.kind === 'show' && plan.title.length).toBeLessThan(100);
  });
});

describe('other notifications', () => {
  it('tells of a missed call when the user was away', () => {
    const plan = notificationPlan({ kind: 'missed-call', fromId: 'bob', fromName: 'Bob' }, hidden, 'darwin');
    expect(plan).toMatchObject({ kind: 'show', title: 'Missed call', buttons: [], callId: null });
    expect(answerForAction(plan, 0)).toBeNull();
    expect(notificationPlan({ kind: 'missed-call', fromId: 'bob', fromName: 'Bob' }, focused, 'darwin')).toEqual({ kind: 'none' });
  });

  it('takes the incoming-call notification away when the call ends', () => {
    expect(notificationPlan({ kind: 'call-ended', callId: 'c4ll1d-0123456789abcdefghij' }, focused, 'linux')).toEqual({
      kind: 'dismiss',
      tag: 'call:c4ll1d-0123456789abcdefghij',
    });
  });
});
