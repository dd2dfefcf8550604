import { describe, expect, it } from 'vitest';
import { captureProblemOf, captureProblemText } from './capture-problem';

describe('captureProblemOf', () => {
  it('reads what getUserMedia rejected with', () => {
    expect(captureProblemOf(new DOMException('no', 'NotAllowedError'))).toBe('denied');
    expect(captureProblemOf(new DOMException('no', 'SecurityError'))).toBe('denied');
    expect(captureProblemOf(new DOMException('none', 'NotFoundError'))).toBe('missing');
    expect(captureProblemOf(new DOMException('busy', 'NotReadableError'))).toBe('busy');
    expect(captureProblemOf(new Error('something else'))).toBe('failed');
  });
});

describe('captureProblemText', () => {
  it('says where to allow a refused device, and what still works', () => {
    const camera = captureProblemText('video', 'denied');
    expect(camera).toContain('System Settings › Privacy & Security › Camera');
    expect(camera).toContain('Settings › Privacy & security › Camera');
    expect(camera).toContain('You can still join without your camera.');
    expect(captureProblemText('audio', 'denied')).toContain('Privacy & Security › Microphone');
    expect(captureProblemText('audio', 'missing')).toContain('No microphone was found');
  });
});
