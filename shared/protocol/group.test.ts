import { describe, expect, it } from 'vitest';
import { b64, clientExamples, groupId, serverExamples } from './examples.fixture';
import { MAX_COMMIT_BYTES, MAX_MEMBER_STATE_BYTES, MAX_KEY_PACKAGE_BYTES, MAX_KEY_PACKAGES, ProtocolError, parseClientMessage, parseServerMessage } from './index';

function codeOf(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'not a ProtocolError';
  }
  return undefined;
}

describe('group call messages', () => {
  it('parses every example in its own direction only', () => {
    for (const type of ['keys.publish', 'keys.fetch', 'group.create', 'group.commit', 'group.signal']) {
      expect(codeOf(() => parseClientMessage(clientExamples[type])), type).toBeUndefined();
    }
    for (const type of ['keys.packages', 'group.committed', 'group.welcome', 'group.invite', 'group.signal']) {
      expect(codeOf(() => parseServerMessage(serverExamples[type])), type).toBeUndefined();
    }
    // A client cannot claim to be the sender, nor send what only the server sends.
    expect(codeOf(() => parseClientMessage({ ...clientExamples['group.signal'], from: 'carol' }))).toBe('bad-message');
    expect(codeOf(() => parseClientMessage(serverExamples['group.committed']))).toBe('bad-message');
  });

  it.each([
    ['a key package over its size', { ...clientExamples['keys.publish'], packages: [b64(MAX_KEY_PACKAGE_BYTES + 1)] }],
    ['more key packages than allowed', { ...clientExamples['keys.publish'], packages: Array.from({ length: MAX_KEY_PACKAGES + 1 }, () => b64(100)) }],
    ['no last-resort package', { ...clientExamples['keys.publish'], lastResort: undefined }],
    ['padded base64', { ...clientExamples['keys.publish'], lastResort: `${b64(100)}==` }],
    ['an empty commit', { ...clientExamples['group.commit'], commit: '' }],
    ['a commit over its size', { ...clientExamples['group.commit'], commit: b64(MAX_COMMIT_BYTES + 1) }],
    ['a welcome without welcomeTo', { ...clientExamples['group.commit'], welcomeTo: undefined }],
    ['welcomeTo without a welcome', { ...clientExamples['group.commit'], welcome: undefined }],
    ['a negative epoch', { ...clientExamples['group.commit'], epoch: -1 }],
    ['a fractional epoch', { ...clientExamples['group.commit'], epoch: 1.5 }],
    ['fifty invitees', { ...clientExamples['group.create'], invitees: Array.from({ length: 50 }, (_, i) => `user-${i}`) }],
    ['a welcome for fifty', { ...clientExamples['group.commit'], welcomeTo: Array.from({ length: 50 }, (_, i) => `user-${i}`) }],
    ['a member state over its size', { ...clientExamples['group.state'], state: b64(MAX_MEMBER_STATE_BYTES + 1) }],
    ['no invitees', { ...clientExamples['group.create'], invitees: [] }],
    ['a short group id', { ...clientExamples['group.join'], groupId: 'abc' }],
    ['a short invite signature', { ...clientExamples['group.create'], signature: b64(63) }],
    ['a fetch for nobody', { ...clientExamples['keys.fetch'], users: [] }],
  ])('refuses %s with bad-message', (_name, message) => {
    expect(codeOf(() => parseClientMessage(message))).toBe('bad-message');
  });

  it('says which field is wrong', () => {
    expect(() => parseClientMessage({ ...clientExamples['group.commit'], welcome: undefined })).toThrow(/welcomeTo: welcome and welcomeTo go together/);
    expect(() => parseClientMessage({ ...clientExamples['group.remove'], groupId, userId: 'Carol' })).toThrow(/userId/);
  });
});
