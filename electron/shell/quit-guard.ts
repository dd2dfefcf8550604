import { app, dialog, powerMonitor, type BrowserWindow } from 'electron';
import { quitAnswer, quitConfirmation, type CallActivity } from '../core/shell-policy/call-activity';
import { logger, reason } from './log';

export interface QuitGuardDeps {
  readonly activity: () => CallActivity;
  readonly window: () => BrowserWindow | null;
  readonly hangUp: (callId: string) => Promise<void>;
}

/**
 * Quitting during a call asks first (core/shell-policy/call-activity words the question); the
 * answer "hang up" ends the call cleanly, so the far end hears a hang-up, not a dropped line.
 * An OS shutdown is never held up. isQuitting tells the window whether a close is a real one.
 */
export function guardQuit(deps: QuitGuardDeps): { isQuitting(): boolean } {
  let quitting = false;
  let asking = false;

  powerMonitor.on('shutdown', () => {
    quitting = true;
  });

  app.on('before-quit', (event) => {
    if (quitting) return;
    const activity = deps.activity();
    const question = quitConfirmation(activity);
    if (question === null || activity.active === null) {
      quitting = true;
      return;
    }
    event.preventDefault();
    if (asking) return;
    asking = true;
    const { callId } = activity.active;
    const options = { type: 'warning' as const, noLink: true, ...question, buttons: [...question.buttons] };
    const parent = deps.window();
    const answer = parent === null ? dialog.showMessageBox(options) : dialog.showMessageBox(parent, options);
    void answer
      .then(async ({ response }) => {
        if (quitAnswer(response) === 'stay') return;
        await deps.hangUp(callId).catch((error: unknown) => {
          logger.warn(`hang-up before quitting failed: ${reason(error)}`);
        });
        quitting = true;
        app.quit();
      })
      .finally(() => {
        asking = false;
      });
  });

  return { isQuitting: () => quitting };
}
