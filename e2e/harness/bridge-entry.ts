/*
 * Runs in the page, before any of the app's scripts (the harness injects it as an init script):
 * the harness's counterpart of electron/preload.ts. It builds window.sealcall with the same
 * createBridge, over a Playwright binding instead of ipcRenderer.
 */
import { createBridge, createEventFanout, toPortableBridge, type IpcTransport } from '../../shared/ipc';
import './page-globals';

const fanout = createEventFanout();
const invokeBinding = window.__sealcallInvoke;

const transport: IpcTransport = {
  invoke(channel, payload) {
    if (invokeBinding === undefined) return Promise.reject(new Error('the harness binding is missing'));
    return invokeBinding(channel, payload);
  },
  subscribe: fanout.subscribe,
};

window.__sealcallDispatch = fanout.dispatch;

// Read-only, like the property contextBridge.exposeInMainWorld defines.
Object.defineProperty(window, 'sealcall', { value: toPortableBridge(createBridge(transport)), enumerable: true });
