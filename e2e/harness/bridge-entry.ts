/*
 * Runs in the page, before any of the app's scripts (the harness injects it as an init script):
 * the harness's counterpart of electron/preload.ts. It builds window.sealcall with the same
 * createBridge, over a Playwright binding instead of ipcRenderer.
 */
import { createBridge, type IpcTransport } from '../../shared/ipc';
import './page-globals';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
const invokeBinding = window.__sealcallInvoke;

const transport: IpcTransport = {
  invoke(channel, payload) {
    if (invokeBinding === undefined) return Promise.reject(new Error('the harness binding is missing'));
    return invokeBinding(channel, payload);
  },
  subscribe(event, listener) {
    let set = listeners.get(event);
    if (set === undefined) {
      set = new Set();
      listeners.set(event, set);
    }
    const entry: Listener = (payload) => {
      listener(payload);
    };
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  },
};

window.__sealcallDispatch = (event, payload) => {
  for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
};

// Read-only, like the property contextBridge.exposeInMainWorld defines.
Object.defineProperty(window, 'sealcall', { value: createBridge(transport), enumerable: true });
