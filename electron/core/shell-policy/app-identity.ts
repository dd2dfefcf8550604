/**
 * Names the OS knows the app by. The installers (build/electron-builder.yml) must use the same ones:
 * Windows ties toast notifications to the app user model id, and macOS and the Linux desktop entry
 * route sealcall:// links by the scheme. A test holds the two together.
 */
export const APP_ID = 'com.sealcall.app';
export const PRODUCT_NAME = 'Sealcall';
export const LINK_SCHEME = 'sealcall';
