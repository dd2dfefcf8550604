import { Notification as OsNotification } from 'electron';
import type { Notification, NotifySink } from '../core/ports';
import { answerForAction, notificationPlan, type WindowState } from '../core/shell-policy/notifications';
import type { Presence } from '../core/shell-policy/tray-menu';
import { logger } from './log';

export interface NotifyDeps {
  readonly platform: string;
  readonly windowState: () => WindowState;
  readonly showWindow: () => void;
  readonly accept: (callId: string) => void;
  readonly decline: (callId: string) => void;
  readonly presence: (state: Presence) => void;
}

/**
 * The core's NotifySink: core/shell-policy/notifications plans each notification; this shows it
 * with Electron and routes its buttons back. Shown notifications are kept by tag, both so a later
 * plan can dismiss them and so their listeners are not garbage-collected while on screen.
 */
export function createNotifySink(deps: NotifyDeps): NotifySink {
  const onScreen = new Map<string, OsNotification>();

  const dismiss = (tag: string): void => {
    onScreen.get(tag)?.close();
    onScreen.delete(tag);
  };

  return {
    show(notification: Notification) {
      const plan = notificationPlan(notification, deps.windowState(), deps.platform);
      if (plan.kind === 'none') return;
      dismiss(plan.tag);
      if (plan.kind === 'dismiss') return;
      if (!OsNotification.isSupported()) {
        logger.warn(`notification not shown: this system has no notification service (${notification.kind})`);
        return;
      }
      const shown = new OsNotification({
        title: plan.title,
        body: plan.body,
        urgency: plan.urgency,
        timeoutType: plan.timeoutType,
        actions: plan.buttons.map((button) => ({ type: 'button', text: button.text })),
      });
      shown.on('click', () => {
        deps.showWindow();
      });
      shown.on('action', (event) => {
        const answer = answerForAction(plan, event.actionIndex);
        if (answer === null || plan.callId === null) return;
        if (answer === 'accept') {
          deps.showWindow();
          deps.accept(plan.callId);
        } else {
          deps.decline(plan.callId);
        }
        dismiss(plan.tag);
      });
      shown.on('close', () => {
        if (onScreen.get(plan.tag) === shown) onScreen.delete(plan.tag);
      });
      onScreen.set(plan.tag, shown);
      shown.show();
    },
    presence(state) {
      deps.presence(state);
    },
  };
}
