/*
 * The window globals the harness adds to a page, beside window.sealcall (declared by the renderer
 * in renderer/bridge.ts, which this pulls in so specs can reach it in page.evaluate).
 */
import type {} from '../../renderer/bridge';

declare global {
  interface Window {
    /** The Playwright binding to the in-process host; the harness's stand-in for ipcRenderer. */
    readonly __sealcallInvoke?: (channel: unknown, payload: unknown) => Promise<unknown>;
    /** Called from Node to deliver a host event to the page's subscribers. */
    __sealcallDispatch?: (event: string, payload: unknown) => void;
  }
}

/** Must match the Window member above; Playwright installs the binding under this name. */
export const INVOKE_BINDING = '__sealcallInvoke';
