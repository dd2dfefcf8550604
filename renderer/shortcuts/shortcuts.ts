/*
 * The app's keyboard shortcuts, in one table: what the key handler matches, what the shortcuts
 * dialog lists and what each control's tooltip and aria-keyshortcuts say. The call shortcuts are
 * Microsoft Teams' (Ctrl+Shift+M, O, K, H, A, S, D; Cmd on a Mac), which most office users already
 * know, and which no text field or Chromium default in the app needs.
 */

export type ShortcutAction = 'toggleMute' | 'toggleCamera' | 'toggleHand' | 'hangUp' | 'acceptVideo' | 'acceptAudio' | 'decline' | 'showShortcuts';

export type ShortcutWhen = 'in-call' | 'ringing' | 'anywhere';

export interface Shortcut {
  readonly action: ShortcutAction;
  readonly description: string;
  readonly when: ShortcutWhen;
  /** The letter pressed with the platform's command key and Shift. */
  readonly letter: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'toggleMute', description: 'Mute or unmute your microphone', when: 'in-call', letter: 'M' },
  { action: 'toggleCamera', description: 'Turn your camera on or off', when: 'in-call', letter: 'O' },
  { action: 'toggleHand', description: 'Raise or lower your hand (group calls)', when: 'in-call', letter: 'K' },
  { action: 'hangUp', description: 'Hang up', when: 'in-call', letter: 'H' },
  { action: 'acceptVideo', description: 'Answer with video', when: 'ringing', letter: 'A' },
  { action: 'acceptAudio', description: 'Answer with audio only', when: 'ringing', letter: 'S' },
  { action: 'decline', description: 'Decline the call', when: 'ringing', letter: 'D' },
];

export type Platform = 'mac' | 'other';

/** The keys pressed, as the dialog and the tooltips write them. */
export interface KeyCombo {
  /** Key caps to show one by one, e.g. ["Ctrl", "Shift", "M"]. */
  readonly keys: readonly string[];
  /** The ARIA form, e.g. "Control+Shift+M". */
  readonly aria: string;
}

export function currentPlatform(): Platform {
  return /Mac/u.test(navigator.userAgent) ? 'mac' : 'other';
}

export function comboFor(shortcut: Shortcut, platform: Platform): KeyCombo {
  return platform === 'mac'
    ? { keys: ['⌘', '⇧', shortcut.letter], aria: `Meta+Shift+${shortcut.letter}` }
    : { keys: ['Ctrl', 'Shift', shortcut.letter], aria: `Control+Shift+${shortcut.letter}` };
}

/** The shortcuts dialog's own keys: "?" alone, or the command key with "/" (as in Slack and Gmail). */
export function showShortcutsCombos(platform: Platform): readonly KeyCombo[] {
  return [
    { keys: ['?'], aria: 'Shift+?' },
    platform === 'mac' ? { keys: ['⌘', '/'], aria: 'Meta+/' } : { keys: ['Ctrl', '/'], aria: 'Control+/' },
  ];
}

function shortcutOf(action: ShortcutAction): Shortcut {
  const found = SHORTCUTS.find((shortcut) => shortcut.action === action);
  if (found === undefined) throw new Error(`no shortcut for ${action}`);
  return found;
}

/** For a control: the tooltip suffix and its aria-keyshortcuts value. */
export function shortcutHint(action: Exclude<ShortcutAction, 'showShortcuts'>, platform: Platform = currentPlatform()): { title: string; aria: string } {
  const combo = comboFor(shortcutOf(action), platform);
  return { title: platform === 'mac' ? combo.keys.join('') : combo.keys.join('+'), aria: combo.aria };
}

/** The parts of a KeyboardEvent the matcher reads, so it can be tested without a DOM. */
export type KeyPress = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

function isLetter(press: KeyPress, letter: string): boolean {
  const key = press.key.toUpperCase();
  // A layout without Latin letters (Cyrillic, Greek…) still has the key where the letter would be.
  return /^[A-Z]$/u.test(key) ? key === letter : press.code === `Key${letter}`;
}

/** The action a key press asks for, or null; whether it applies now (in a call, ringing) is the caller's call. */
export function matchShortcut(press: KeyPress, platform: Platform): ShortcutAction | null {
  const command = platform === 'mac' ? press.metaKey && !press.ctrlKey : press.ctrlKey && !press.metaKey;
  if (command && !press.altKey && press.key === '/') return 'showShortcuts';
  if (press.key === '?' && !press.ctrlKey && !press.metaKey && !press.altKey) return 'showShortcuts';
  if (!command || !press.shiftKey || press.altKey) return null;
  return SHORTCUTS.find((shortcut) => isLetter(press, shortcut.letter))?.action ?? null;
}

/** Typing goes to the field: a letter typed into a search box or a form must never mute or hang up. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(target.type);
}
