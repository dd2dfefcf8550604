import type { Notification } from '../ports';

/*
 * When an OS notification is worth showing, and what it says. The core decides; the shell only
 * turns a plan into an Electron Notification. An incoming call in a focused window rings in the
 * window itself, so the OS is not asked to show it twice.
 */

export interface WindowState {
  readonly visible: boolean;
  readonly focused: boolean;
}

export type CallAnswer = 'accept' | 'decline';

export interface NotificationButton {
  readonly answer: CallAnswer;
  readonly text: string;
}

export type NotificationPlan =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'show';
      /** Replaces an earlier notification with the same tag. */
      readonly tag: string;
      readonly callId: string | null;
      readonly title: string;
      readonly body: string;
      /** In order: Electron's 'action' event reports an index into this list. */
      readonly buttons: readonly NotificationButton[];
      readonly urgency: 'critical' | 'normal';
      readonly timeoutType: 'never' | 'default';
    }
  | { readonly kind: 'dismiss'; readonly tag: string };

/** Notification buttons exist on macOS (signed app, alert style) and Windows; elsewhere a click shows the window. */
function supportsButtons(platform: string): boolean {
  return platform === 'darwin' || platform === 'win32';
}

const callTag = (callId: string): string => `call:${callId}`;

export function notificationPlan(notification: Notification, window: WindowState, platform: string): NotificationPlan {
  const windowHasAttention = window.visible && window.focused;
  switch (notification.kind) {
    case 'incoming-call':
      if (windowHasAttention) return { kind: 'none' };
      if (notification.keyChanged) {
        // Answering needs the user to see the new safety number first, which only the window shows:
        // no Accept button here, so a click on a notification cannot skip that step.
        return {
          kind: 'show',
          tag: callTag(notification.callId),
          callId: notification.callId,
          title: `${clip(notification.fromName)}'s safety number has changed`,
          body: `${clip(notification.fromName)} is calling. Open Sealcall to review the new safety number before you answer.`,
          buttons: supportsButtons(platform) ? [{ answer: 'decline', text: 'Decline' }] : [],
          urgency: 'critical',
          timeoutType: 'never',
        };
      }
      return {
        kind: 'show',
        tag: callTag(notification.callId),
        callId: notification.callId,
        title: `${clip(notification.fromName)} is calling`,
        body: `${notification.video ? 'Video' : 'Audio'} call from ${clip(notification.fromId)}`,
        buttons: supportsButtons(platform)
          ? [
              { answer: 'accept', text: 'Accept' },
              { answer: 'decline', text: 'Decline' },
            ]
          : [],
        urgency: 'critical',
        // The core ends an unanswered call after 30 s and then dismisses this; until then it stays.
        timeoutType: 'never',
      };
    case 'missed-call':
      if (windowHasAttention) return { kind: 'none' };
      return {
        kind: 'show',
        tag: `missed:${notification.fromId}`,
        callId: null,
        title: 'Missed call',
        body: `${clip(notification.fromName)} (${clip(notification.fromId)}) called you`,
        buttons: [],
        urgency: 'normal',
        timeoutType: 'default',
      };
    case 'call-ended':
      return { kind: 'dismiss', tag: callTag(notification.callId) };
  }
}

/** Which answer a button press means, from Electron's action index; null for anything unexpected. */
export function answerForAction(plan: NotificationPlan, actionIndex: number): CallAnswer | null {
  if (plan.kind !== 'show' || plan.callId === null) return null;
  return plan.buttons[actionIndex]?.answer ?? null;
}

/** Display names are checked upstream; this only keeps a notification to one readable line. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
