import { describe, expect, it } from 'vitest';
import { comboFor, matchShortcut, SHORTCUTS, shortcutHint, type KeyPress } from './shortcuts';

const press = (key: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: /^[a-z]$/iu.test(key) ? `Key${key.toUpperCase()}` : '',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...modifiers,
});

describe('keyboard shortcuts', () => {
  it('matches Ctrl+Shift+letter off a Mac and Cmd+Shift+letter on one', () => {
    expect(matchShortcut(press('M', { ctrlKey: true, shiftKey: true }), 'other')).toBe('toggleMute');
    expect(matchShortcut(press('O', { ctrlKey: true, shiftKey: true }), 'other')).toBe('toggleCamera');
    expect(matchShortcut(press('H', { ctrlKey: true, shiftKey: true }), 'other')).toBe('hangUp');
    expect(matchShortcut(press('K', { ctrlKey: true, shiftKey: true }), 'other')).toBe('toggleHand');
    expect(matchShortcut(press('A', { ctrlKey: true, shiftKey: true }), 'other')).toBe('acceptVideo');
    expect(matchShortcut(press('S', { ctrlKey: true, shiftKey: true }), 'other')).toBe('acceptAudio');
    expect(matchShortcut(press('D', { ctrlKey: true, shiftKey: true }), 'other')).toBe('decline');
    expect(matchShortcut(press('M', { metaKey: true, shiftKey: true }), 'mac')).toBe('toggleMute');
  });

  it('ignores the letters alone, without Shift, with Alt, or with the other platform’s key', () => {
    expect(matchShortcut(press('m'), 'other')).toBeNull();
    expect(matchShortcut(press('m', { ctrlKey: true }), 'other')).toBeNull();
    expect(matchShortcut(press('M', { ctrlKey: true, shiftKey: true, altKey: true }), 'other')).toBeNull();
    expect(matchShortcut(press('M', { metaKey: true, shiftKey: true }), 'other')).toBeNull();
    expect(matchShortcut(press('M', { ctrlKey: true, shiftKey: true }), 'mac')).toBeNull();
    expect(matchShortcut(press('X', { ctrlKey: true, shiftKey: true }), 'other')).toBeNull();
  });

  it('finds the key by position on a layout without Latin letters', () => {
    expect(matchShortcut({ ...press('Ь', { ctrlKey: true, shiftKey: true }), code: 'KeyM' }, 'other')).toBe('toggleMute');
    // A Latin letter is read as typed (AZERTY's M is where QWERTY has the semicolon).
    expect(matchShortcut({ ...press('M', { ctrlKey: true, shiftKey: true }), code: 'Semicolon' }, 'other')).toBe('toggleMute');
    expect(matchShortcut({ ...press('A', { ctrlKey: true, shiftKey: true }), code: 'KeyQ' }, 'other')).toBe('acceptVideo');
  });

  it('opens the list with "?" or Ctrl+/', () => {
    expect(matchShortcut(press('?', { shiftKey: true }), 'other')).toBe('showShortcuts');
    expect(matchShortcut(press('/', { ctrlKey: true }), 'other')).toBe('showShortcuts');
    expect(matchShortcut(press('/', { metaKey: true }), 'mac')).toBe('showShortcuts');
    expect(matchShortcut(press('/'), 'other')).toBeNull();
  });

  it('gives each shortcut its own letter, and writes it for tooltips and aria-keyshortcuts', () => {
    const letters = SHORTCUTS.map((shortcut) => shortcut.letter);
    expect(new Set(letters).size).toBe(letters.length);
    expect(shortcutHint('toggleMute', 'other')).toEqual({ title: 'Ctrl+Shift+M', aria: 'Control+Shift+M' });
    expect(shortcutHint('hangUp', 'mac')).toEqual({ title: '⌘⇧H', aria: 'Meta+Shift+H' });
    const decline = SHORTCUTS.find((shortcut) => shortcut.action === 'decline');
    expect(decline && comboFor(decline, 'other').keys).toEqual(['Ctrl', 'Shift', 'D']);
  });
});
