import { contextBridge, ipcRenderer } from 'electron';
import {
  createBridge,
  IpcError,
  type InvokeChannel,
  type IpcTransport,
  type RequestOf,
  type ResponseOf,
  type SealcallBridge,
} from '../shared/ipc';

/*
 * Runs sandboxed, before the renderer: builds window.sealcall from the shared contract over
 * ipcRenderer. Nothing of ipcRenderer itself reaches the page. The channel names match
 * electron/shell/channels.ts (a preload may import only shared/).
 */
const INVOKE_CHANNEL = 'sealcall:invoke';
const EVENT_CHANNEL = 'sealcall:event';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, envelope: unknown) => {
  if (typeof envelope !== 'object' || envelope === null || !('event' in envelope) || typeof envelope.event !== 'string') return;
  const payload = 'payload' in envelope ? envelope.payload : undefined;
  for (const listener of [...(listeners.get(envelope.event) ?? [])]) listener(payload);
});

const transport: IpcTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(INVOKE_CHANNEL, channel, payload),
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

const bridge = createBridge(transport);

/*
 * contextBridge copies an Error into the page as a bare Error with its message only
 * (electron/electron#25596), so an IpcError would reach the renderer without its code. A plain
 * object crosses intact, so IpcErrors cross as { name, code, message }, the same fields the
 * harness's in-page bridge gives; the renderer reads them by shape, never by class.
 */
function portable(error: unknown): unknown {
  return error instanceof IpcError ? { name: error.name, code: error.code, message: error.message } : error;
}

function invoke<C extends InvokeChannel>(
  channel: C,
  ...request: RequestOf<C> extends undefined ? [] : [RequestOf<C>]
): Promise<ResponseOf<C>> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see portable()
  return bridge.invoke(channel, ...request).catch((error: unknown) => Promise.reject(portable(error)));
}

const exposed: SealcallBridge = { invoke, on: (event, listener) => bridge.on(event, listener) };
contextBridge.exposeInMainWorld('sealcall', exposed);
