import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration, TargetConfigType } from 'electron-builder';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_ID, LINK_SCHEME, PRODUCT_NAME } from '../electron/core/shell-policy/app-identity';
import { updateFeedFor } from '../electron/core/shell-policy/update-feed';
import { enterpriseConfigSchema } from '../electron/core/settings/enterprise-config';
import { checkServerUrl } from '../shared/protocol/server-url';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

function targetNames(target: TargetConfigType | undefined): string[] {
  if (target === undefined || target === null) return [];
  return (Array.isArray(target) ? target : [target]).map((entry) => (typeof entry === 'string' ? entry : entry.target));
}

describe('build/electron-builder.yml', () => {
  let config: Configuration;

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    config = await getConfig(root, 'build/electron-builder.yml', null);
  });

  it("is valid by electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and its link scheme as the app itself does', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
    const protocols = Array.isArray(config.protocols) ? config.protocols : [config.protocols];
    expect(protocols.flatMap((protocol) => protocol?.schemes ?? [])).toEqual([LINK_SCHEME]);
    expect(config.linux?.mimeTypes).toContain(`x-scheme-handler/${LINK_SCHEME}`);
  });

  it('packs only the bundles, into an asar, with no native rebuild', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.files).toEqual([{ filter: ['out/**/*', '!out/**/*.map', 'package.json', '!node_modules/**/*'] }]);
  });

  it('flips the fuses in the afterPack hook, and only there', () => {
    expect(config.afterPack).toBe('./build/fuses.mjs');
    expect(existsSync(path.join(root, 'build', 'fuses.mjs'))).toBe(true);
    expect(config.electronFuses).toBeUndefined();
  });

  it('builds AppImage, deb and rpm; per-machine NSIS and MSI; dmg and zip', () => {
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb', 'rpm']);
    expect(targetNames(config.win?.target)).toEqual(['nsis', 'msi']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, deleteAppDataOnUninstall: false });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(targetNames(config.mac?.target)).toEqual(['dmg', 'zip']);
  });

  it('signs macOS with the hardened runtime, camera and microphone entitlements, and usage strings', () => {
    expect(config.mac).toMatchObject({
      hardenedRuntime: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
    });
    expect(config.mac?.extendInfo).toMatchObject({
      NSCameraUsageDescription: expect.stringMatching(/camera/) as unknown,
      NSMicrophoneUsageDescription: expect.stringMatching(/microphone/) as unknown,
    });
    const plist = read('build/entitlements.mac.plist');
    for (const key of ['com.apple.security.device.camera', 'com.apple.security.device.audio-input', 'com.apple.security.cs.allow-jit']) {
      expect(plist).toMatch(new RegExp(`<key>${key.replaceAll('.', '\\.')}</key>\\s*<true/>`));
    }
    expect(plist).not.toMatch(/disable-library-validation|allow-dyld-environment-variables|get-task-allow/);
  });

  it('publishes for electron-updater on a generic provider', () => {
    expect(config.publish).toMatchObject({ provider: 'generic' });
  });

  it('has its icon', () => {
    const icon = readFileSync(path.join(root, 'build', 'icon.png'));
    expect([...icon.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([1024, 1024]);
  });
});

describe('build/fuses.mjs', () => {
  async function load(): Promise<{ fuseConfig: unknown; afterPack: unknown }> {
    const loaded: unknown = await import(pathToFileURL(path.join(root, 'build', 'fuses.mjs')).href);
    if (typeof loaded !== 'object' || loaded === null) throw new Error('fuses.mjs exports nothing');
    return { fuseConfig: Reflect.get(loaded, 'fuseConfig'), afterPack: Reflect.get(loaded, 'default') };
  }

  it('sets exactly the six fuses, each the safe way', async () => {
    const { fuseConfig } = await load();
    expect(fuseConfig).toStrictEqual({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
    });
  });

  it('hands them to electron-builder for the packaged binary', async () => {
    const { fuseConfig, afterPack } = await load();
    if (typeof afterPack !== 'function') throw new Error('fuses.mjs has no default export');
    const addElectronFuses = vi.fn(() => Promise.resolve());
    for (const electronPlatformName of ['linux', 'darwin']) {
      const context = { electronPlatformName, packager: { addElectronFuses } };
      await Reflect.apply(afterPack, undefined, [context]);
      expect(addElectronFuses).toHaveBeenLastCalledWith(context, {
        ...(fuseConfig as object),
        resetAdHocDarwinSignature: electronPlatformName === 'darwin',
      });
    }
  });
});

describe('build/enterprise-config.example.json', () => {
  const example = JSON.parse(read('build/enterprise-config.example.json')) as Record<string, unknown>;

  it('is a config file the app loads', () => {
    expect(enterpriseConfigSchema.safeParse(example).success).toBe(true);
  });

  it('holds a server URL, an update URL and an update key the app accepts', () => {
    expect(checkServerUrl(String(example['serverUrl']))).toBe(example['serverUrl']);
    expect(updateFeedFor({ updateUrl: String(example['updateUrl']), updatePublicKey: String(example['updatePublicKey']), isPackaged: true })).toEqual({
      kind: 'signed',
      url: example['updateUrl'],
      publicKey: example['updatePublicKey'],
    });
    expect(example['relayOnly']).toBe(true);
  });

  it('locks only keys it sets', () => {
    expect(example['locked']).toEqual(['serverUrl', 'relayOnly']);
    for (const key of example['locked'] as string[]) expect(Object.keys(example)).toContain(key);
  });
});
