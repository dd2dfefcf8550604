import type { CallView } from '../../../shared/ipc';

/*
 * What the shell needs to know about the current call, derived from the core's call.changed view:
 * whether quitting would cut a call, and whether the display must stay awake.
 */

export interface CallActivity {
  /** The call the user placed or took, until it ends; an unanswered incoming call does not count. */
  readonly active: { readonly callId: string; readonly peerName: string } | null;
  readonly keepDisplayAwake: boolean;
}

const ACTIVE_STATES: ReadonlySet<CallView['state']> = new Set(['outgoing', 'ringing', 'connecting', 'connected']);

export function callActivity(view: CallView | null): CallActivity {
  if (view === null || !ACTIVE_STATES.has(view.state)) return { active: null, keepDisplayAwake: false };
  return { active: { callId: view.callId, peerName: view.peerName }, keepDisplayAwake: true };
}

export interface QuitConfirmation {
  readonly message: string;
  readonly detail: string;
  readonly buttons: readonly [string, string];
  /** The button Enter presses and Escape picks: staying in the call is the safe default. */
  readonly defaultId: 1;
  readonly cancelId: 1;
}

/** The question to ask before quitting, or null when nothing would be lost. */
export function quitConfirmation(activity: CallActivity): QuitConfirmation | null {
  if (activity.active === null) return null;
  return {
    message: `You are in a call with ${activity.active.peerName}.`,
    detail: 'Quitting Sealcall hangs up the call.',
    buttons: ['Hang Up and Quit', 'Stay in Call'],
    defaultId: 1,
    cancelId: 1,
  };
}

export function quitAnswer(response: number): 'hang-up-and-quit' | 'stay' {
  return response === 0 ? 'hang-up-and-quit' : 'stay';
}

/**
 * Closing the window hides it: the main process keeps the server connection, so calls still ring
 * and the tray, a notification or starting Sealcall again brings the window back. Only a real
 * quit (menu, tray, OS shutdown) closes it.
 */
export function windowCloseDecision(state: { readonly quitting: boolean }): 'hide' | 'close' {
  return state.quitting ? 'close' : 'hide';
}
