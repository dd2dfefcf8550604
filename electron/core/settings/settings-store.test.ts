import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnterpriseConfig } from './enterprise-config';
import { DEFAULT_SETTINGS } from '../../../shared/settings-schema';
import { openSettingsStore, SettingsError } from './settings-store';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-settings-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function settingsError(promise: Promise<unknown>): Promise<SettingsError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SettingsError)) throw new Error(`expected a SettingsError, got ${String(error)}`);
  return error;
}

describe('settings store', () => {
  it('starts from the defaults when there is no file', async () => {
    const store = await openSettingsStore({ dataDir });
    expect(store.effective()).toEqual(DEFAULT_SETTINGS);
    expect(store.recovery).toBeNull();
    expect(store.describe().locked).toEqual([]);
    expect(store.describe().sources.theme).toBe('default');
  });

  it('layers defaults < enterprise defaults < user < enterprise locks', async () => {
    const enterprise: EnterpriseConfig = { theme: 'dark', ringtone: false, startMuted: true, relayOnly: true, locked: ['relayOnly'] };
    const store = await openSettingsStore({ dataDir, enterprise });
    expect(store.effective()).toMatchObject({ theme: 'dark', ringtone: false, startMuted: true, relayOnly: true, startCameraOff: false });

    const described = await store.set({ theme: 'light', startMuted: false, audioInputId: 'mic-1', audioInputLabel: 'USB Mic' });
    expect(described.values).toMatchObject({ theme: 'light', ringtone: false, startMuted: false, relayOnly: true, audioInputId: 'mic-1' });
    expect(described.sources).toMatchObject({
      theme: 'user',
      ringtone: 'enterprise-default',
      relayOnly: 'enterprise-locked',
      startCameraOff: 'default',
      audioInputId: 'user',
      videoInputId: 'default',
    });
    expect(described.locked).toEqual(['relayOnly']);
  });

  it('refuses to change a locked key, naming it, and stores nothing of that patch', async () => {
    const store = await openSettingsStore({ dataDir, enterprise: { relayOnly: true, locked: ['relayOnly'] } });
    const error = await settingsError(store.set({ theme: 'dark', relayOnly: false }));
    expect(error).toMatchObject({ code: 'locked', key: 'relayOnly' });
    expect(error.message).toContain('"relayOnly"');
    expect(store.effective().theme).toBe('system');
    expect(await readdir(dataDir)).toEqual([]);
    // Sending the locked value back (a form posting every field) is not a change.
    expect((await store.set({ relayOnly: true, theme: 'dark' })).values).toMatchObject({ relayOnly: true, theme: 'dark' });
  });

  it('never lets a choice stored before the lock override it', async () => {
    const before = await openSettingsStore({ dataDir });
    await before.set({ relayOnly: false, ringtone: false });
    const locked = await openSettingsStore({ dataDir, enterprise: { relayOnly: true, locked: ['relayOnly'] } });
    expect(locked.effective()).toMatchObject({ relayOnly: true, ringtone: false });
    expect(locked.describe().sources.relayOnly).toBe('enterprise-locked');
    // When IT lifts the lock, the user's own choice is still there.
    const unlocked = await openSettingsStore({ dataDir });
    expect(unlocked.effective().relayOnly).toBe(false);
  });

  it('survives a re-open', async () => {
    const first = await openSettingsStore({ dataDir });
    await first.set({ theme: 'dark', videoInputId: 'cam', videoInputLabel: 'Built-in Camera', startCameraOff: true });
    const second = await openSettingsStore({ dataDir });
    expect(second.effective()).toMatchObject({ theme: 'dark', videoInputId: 'cam', videoInputLabel: 'Built-in Camera', startCameraOff: true });
  });

  it('stores only what the user chose, so untouched keys follow new enterprise defaults', async () => {
    const first = await openSettingsStore({ dataDir });
    await first.set({ theme: 'light' });
    const stored = JSON.parse(await readFile(path.join(dataDir, 'settings.json'), 'utf8')) as unknown;
    expect(stored).toEqual({ version: 1, settings: { theme: 'light' } });
    const later = await openSettingsStore({ dataDir, enterprise: { theme: 'dark', ringtone: false } });
    expect(later.effective()).toMatchObject({ theme: 'light', ringtone: false });
  });

  it('forgets a choice on null', async () => {
    const store = await openSettingsStore({ dataDir, enterprise: { theme: 'dark' } });
    await store.set({ theme: 'light' });
    expect((await store.set({ theme: null })).values.theme).toBe('dark');
  });

  it('refuses an invalid patch, naming the field', async () => {
    const store = await openSettingsStore({ dataDir });
    const wrongType = await settingsError(store.set({ ringtone: 'loud' } as unknown as { ringtone: boolean }));
    expect(wrongType).toMatchObject({ code: 'invalid', key: 'ringtone' });
    expect(wrongType.message).toBe('the setting "ringtone" must be true or false');
    const unknown = await settingsError(store.set({ volume: 11 } as unknown as { ringtone: boolean }));
    expect(unknown).toMatchObject({ code: 'invalid', key: 'volume' });
  });

  it('does not interleave two quick changes', async () => {
    const store = await openSettingsStore({ dataDir });
    await Promise.all([store.set({ theme: 'dark' }), store.set({ ringtone: false }), store.set({ startMuted: true })]);
    const reopened = await openSettingsStore({ dataDir });
    expect(reopened.effective()).toMatchObject({ theme: 'dark', ringtone: false, startMuted: true });
  });

  it('moves a damaged file aside, says so, and starts from the defaults', async () => {
    const file = path.join(dataDir, 'settings.json');
    await writeFile(file, JSON.stringify({ version: 1, settings: { theme: 'purple' } }));
    const store = await openSettingsStore({ dataDir, now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 6) });
    expect(store.recovery).toEqual({
      file,
      movedTo: `${file}.corrupt-2025-01-02T03-04-05-006Z`,
      problem: '"settings.theme" must be one of "system", "light", "dark"',
    });
    expect(store.effective()).toEqual(DEFAULT_SETTINGS);
    expect(await readFile(`${file}.corrupt-2025-01-02T03-04-05-006Z`, 'utf8')).toContain('purple');
    expect(await readdir(dataDir)).toEqual(['settings.json.corrupt-2025-01-02T03-04-05-006Z']);
  });

  it('keeps an earlier backup when a second damaged file is moved aside at the same moment', async () => {
    const file = path.join(dataDir, 'settings.json');
    const now = () => Date.UTC(2025, 0, 2);
    await writeFile(file, '{ first');
    await openSettingsStore({ dataDir, now });
    await writeFile(file, '{ second');
    const store = await openSettingsStore({ dataDir, now });
    expect(store.recovery?.movedTo.endsWith('-1')).toBe(true);
    expect((await readdir(dataDir)).sort()).toHaveLength(2);
  });
});
