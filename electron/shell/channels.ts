/*
 * The two Electron IPC channel names the preload and the shell share. They are spelt again in
 * electron/preload.ts, which may import only shared/; the Electron e2e project catches a mismatch.
 */
export const INVOKE_CHANNEL = 'sealcall:invoke';
export const EVENT_CHANNEL = 'sealcall:event';
