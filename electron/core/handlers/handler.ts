import type { EventChannel, EventOf, InvokeChannel, RequestOf, ResponseOf } from '../../../shared/ipc';
import type { HostPorts } from '../ports';
import type { SealcallCore } from '../session/sealcall-core';
import type { ScreenShareBroker } from '../shell-policy/display-media';

/** What every handler may use; grows with the ports. */
export interface HandlerContext {
  readonly ports: HostPorts;
  /** Pushes an event to every subscribed renderer, checked against the contract. */
  readonly emit: <E extends EventChannel>(event: E, payload: EventOf<E>) => void;
  /** The main process's state, once it has loaded (settings, keystore status, history). */
  readonly core: () => Promise<SealcallCore>;
  /** The user's screen-share pick, between the picker (screen.choose) and the shell's getDisplayMedia handler. */
  readonly screenShare: ScreenShareBroker;
}

export type Handler<C extends InvokeChannel> = (
  request: RequestOf<C>,
  context: HandlerContext,
) => ResponseOf<C> | Promise<ResponseOf<C>>;

/** One handler per contract channel: adding a channel to shared/ipc.ts fails the build until it is handled here. */
export type HandlerTable = { readonly [C in InvokeChannel]: Handler<C> };
