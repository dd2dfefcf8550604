import { defaultHandlers } from '../electron/core/handlers/index';
import { expect, test } from './fixtures';

test('host events reach the page through the bridge, checked against the contract', async ({ harness }) => {
  // A host whose app.info also announces itself, so the spec can make it emit on cue.
  const user = await harness.openUser({
    hostOptions: {
      handlers: {
        'app.info': (request, context) => {
          context.emit('app.ready', { at: 42 });
          return defaultHandlers['app.info'](request, context);
        },
      },
    },
  });
  try {
    const received = await user.page.evaluate(async () => {
      const bridge = window.sealcall;
      if (bridge === undefined) throw new Error('no bridge');
      const seen = new Promise<number>((resolve) => {
        const off = bridge.on('app.ready', ({ at }) => {
          off();
          resolve(at);
        });
      });
      await bridge.invoke('app.info');
      return seen;
    });
    expect(received).toBe(42);
    expect(user.problems()).toEqual([]);
  } finally {
    await user.close();
  }
});
