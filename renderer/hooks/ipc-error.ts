import { ipcErrorCode, type IpcErrorCode } from '../../shared/ipc';

/** What an IPC failure says, for showing to the user; page code receives plain objects, not Errors. */
export function ipcErrorMessage(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '') {
    return error.message;
  }
  return fallback;
}

export function describeIpcError(error: unknown, fallback: string): { code: IpcErrorCode | undefined; message: string } {
  return { code: ipcErrorCode(error), message: ipcErrorMessage(error, fallback) };
}
