import { contextBridge, ipcRenderer } from 'electron';
import {
  ELECTRON_EVENT_CHANNEL,
  ELECTRON_INVOKE_CHANNEL,
  createBridge,
  createEventFanout,
  toPortableBridge,
  type IpcTransport,
} from '../shared/ipc';

/*
 * Runs sandboxed, before the renderer: builds window.sealcall from the shared contract over
 * ipcRenderer. Nothing of ipcRenderer itself reaches the page.
 */
const fanout = createEventFanout();

ipcRenderer.on(ELECTRON_EVENT_CHANNEL, (_event, envelope: unknown) => {
  if (typeof envelope !== 'object' || envelope === null || !('event' in envelope) || typeof envelope.event !== 'string') return;
  fanout.dispatch(envelope.event, 'payload' in envelope ? envelope.payload : undefined);
});

const transport: IpcTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(ELECTRON_INVOKE_CHANNEL, channel, payload),
  subscribe: fanout.subscribe,
};

contextBridge.exposeInMainWorld('sealcall', toPortableBridge(createBridge(transport)));
