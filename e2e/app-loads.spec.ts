import { expect, test } from './fixtures';
import { packageVersion } from './harness/package-version';

test('the built renderer loads its first screen and names its host', async ({ app }) => {
  const { page } = app;
  await expect(page.getByRole('heading', { level: 1, name: 'Sealcall' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Set up this computer' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('enrollment link');
  // The footer's text comes from app.info, through the real bridge and the real host.
  await expect(page.getByRole('contentinfo')).toHaveText(`Sealcall ${packageVersion()} · ${app.hostKind}`);
  expect(app.problems()).toEqual([]);
});

test('the bridge refuses a channel or a payload outside the contract', async ({ app }) => {
  const outcomes = await app.page.evaluate(async () => {
    const bridge = window.sealcall;
    if (bridge === undefined) throw new Error('no bridge');
    // Deliberately outside the contract's types, as a confused or compromised renderer would call.
    const loose = bridge as unknown as { invoke: (channel: string, payload?: unknown) => Promise<unknown> };
    const outcome = async (call: Promise<unknown>) => {
      try {
        return { resolved: await call };
      } catch (error) {
        const { name, code } = error as { name?: unknown; code?: unknown };
        return { name, code };
      }
    };
    return {
      unknownChannel: await outcome(loose.invoke('no.such.channel')),
      badPayload: await outcome(loose.invoke('app.info', { extra: true })),
    };
  });
  expect(outcomes).toEqual({
    unknownChannel: { name: 'IpcError', code: 'unknown-channel' },
    badPayload: { name: 'IpcError', code: 'bad-request' },
  });
});

test('the host itself refuses what the bridge would have stopped', async ({ app }) => {
  test.skip(
    app.hostKind === 'electron',
    'the Electron build gives the page no raw transport to bypass the bridge with (context isolation)',
  );
  const results = await app.page.evaluate(async () => {
    const raw = window.__sealcallInvoke;
    if (raw === undefined) throw new Error('no harness binding');
    return {
      unknownChannel: await raw('no.such.channel', undefined),
      badPayload: await raw('app.info', { extra: true }),
      prototypeKey: await raw('__proto__', undefined),
    };
  });
  expect(results).toMatchObject({
    unknownChannel: { ok: false, error: { code: 'unknown-channel' } },
    badPayload: { ok: false, error: { code: 'bad-request' } },
    prototypeKey: { ok: false, error: { code: 'unknown-channel' } },
  });
  expect(app.problems()).toEqual([]);
});
