import { describe, expect, it } from 'vitest';
import { compareReleaseVersions, isReleaseVersion } from './release-version';

describe('release versions', () => {
  it('orders by semantic-version precedence', () => {
    const ordered = ['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareReleaseVersions(ordered[i] ?? '', ordered[j] ?? '')), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it.each(['1.0', '1.0.0.0', 'v1.0.0', '01.0.0', '1.0.0+build.5', '1.0.0-', '1.0.0-01', ' 1.0.0', '1.0.0\n', '9999999999.0.0', ''])('refuses %j', (text) => {
    expect(isReleaseVersion(text)).toBe(false);
    expect(() => compareReleaseVersions(text, '1.0.0')).toThrow(RangeError);
  });
});
