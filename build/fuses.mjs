// electron-builder afterPack hook (build/electron-builder.yml): flips Electron's fuses in the
// packaged binary, before it is signed, so the OS's signature check keeps them flipped.
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn Sealcall into a plain Node that runs any script.
 * - NODE_OPTIONS and --inspect off: nothing can inject code or attach a debugger from outside.
 * - Only app.asar, with its embedded integrity checked (macOS and Windows): the app code that
 *   runs is the code that was signed.
 * - Cookie encryption on: Chromium's cookie store is sealed with the OS keychain.
 * Fuses not named keep Electron's defaults.
 */
export const fuseConfig = Object.freeze({
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
});

/** @param {import('electron-builder').AfterPackContext} context */
export default async function afterPack(context) {
  await context.packager.addElectronFuses(context, {
    ...fuseConfig,
    // Changing the binary breaks its ad-hoc signature; an unsigned macOS arm64 build would not
    // start. A real signature applied afterwards replaces the ad-hoc one.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
  });
}
