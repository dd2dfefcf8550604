import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaPermissions } from './media-permissions';

type Answer = PermissionState | 'fails';

/** A navigator.permissions whose answers the test sets, counting the queries. */
function fakePermissions(answers: Record<string, Answer>): { queries: string[] } {
  const queries: string[] = [];
  vi.stubGlobal('navigator', {
    permissions: {
      query: ({ name }: { name: string }) => {
        queries.push(name);
        const answer = answers[name] ?? 'prompt';
        return answer === 'fails' ? Promise.reject(new TypeError('unsupported')) : Promise.resolve({ state: answer });
      },
    },
  });
  return { queries };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('MediaPermissions', () => {
  it('answers from the states queried ahead, without asking again', async () => {
    const answers: Record<string, Answer> = { camera: 'denied', microphone: 'granted' };
    const { queries } = fakePermissions(answers);
    const permissions = new MediaPermissions();
    permissions.warm();
    await settle();
    expect(queries).toEqual(['microphone', 'camera']);
    expect(await permissions.denied('camera')).toBe(true);
    expect(await permissions.denied('microphone')).toBe(false);
    expect(queries).toHaveLength(2);
  });

  it('asks at the call when nothing was queried ahead', async () => {
    const { queries } = fakePermissions({ microphone: 'denied' });
    const permissions = new MediaPermissions();
    expect(await permissions.denied('microphone')).toBe(true);
    expect(queries).toEqual(['microphone']);
  });

  it('takes a query that fails as no refusal, and asks again next time', async () => {
    const { queries } = fakePermissions({ camera: 'fails' });
    const permissions = new MediaPermissions();
    expect(await permissions.denied('camera')).toBe(false);
    await settle();
    expect(await permissions.denied('camera')).toBe(false);
    expect(queries).toEqual(['camera', 'camera']);
  });

  it('a new warm-up keeps serving the old state until the fresh one is in', async () => {
    const answers: Record<string, Answer> = { camera: 'granted' };
    fakePermissions(answers);
    const permissions = new MediaPermissions();
    permissions.warm();
    await settle();
    answers['camera'] = 'denied';
    permissions.warm();
    // The fresh answer is on its way: the call in progress is not held up by it.
    expect(await permissions.denied('camera')).toBe(false);
    await settle();
    expect(await permissions.denied('camera')).toBe(true);
  });
});
