import {
  IpcError,
  isInvokeChannel,
  parseRequest,
  parseResponse,
  toErrorResult,
  type EventChannel,
  type EventOf,
  type InvokeChannel,
  type IpcResult,
  type ResponseOf,
} from '../../shared/ipc';
import { EventHub } from './event-hub';
import type { Handler, HandlerContext, HandlerTable } from './handlers/handler';
import { defaultHandlers } from './handlers/index';
import { formatSealcallLink, type SealcallLink } from './deep-link';
import type { HostPorts } from './ports';
import { SealcallCore, type CoreTuning } from './session/sealcall-core';
import { ScreenShareBroker, type ShareTake } from './shell-policy/display-media';

export type { HostPorts } from './ports';

/** The main process's brain as plain Node: the Electron shell and the e2e harness both drive it through this. */
export interface Host {
  /** Answers one renderer request. Never throws: every failure comes back as `{ ok: false }`. */
  invoke(channel: unknown, payload: unknown): Promise<IpcResult>;
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void;
  close(): Promise<void>;
  /** Loads the core now (the shell does at start, so the server connection comes up without a window). */
  start(): Promise<void>;
  /** A sealcall:// link from the OS: passed to the renderer, which asks for what it needs (passphrase, camera). */
  handleDeepLink(link: SealcallLink): void;
  /** "Accept" pressed on the OS notification. */
  acceptFromNotification(callId: string): void;
  /** The organization's update feed; undefined until the core has loaded, or when none is set. */
  updateFeedUrl(): string | undefined;
  /** The key every release on that feed must be signed with; undefined until loaded, or when none is set. */
  updatePublicKey(): string | undefined;
  /** The computer woke from sleep. */
  reconnectNow(): void;
  /**
   * The renderer crashed or was killed: it held the call's peer connection and keys, so the call
   * cannot go on. It is hung up as "connection lost" at once, rather than leaving the other side
   * to find out from the media path.
   */
  rendererGone(): void;
  /** The shell's display-media handler: the screen or window the user picked, once. */
  takeScreenShare(): ShareTake;
}

export interface HostOptions {
  /** Tests swap handlers in to exercise the gate around them. */
  readonly handlers?: Partial<HandlerTable>;
  /** Tests shorten timeouts and lower Argon2id's cost. */
  readonly tuning?: CoreTuning;
  /** Where unexpected handler errors go; they stay in the main process and never reach the renderer. */
  readonly onUnexpectedError?: (channel: InvokeChannel, error: unknown) => void;
}

function logUnexpectedError(channel: InvokeChannel, error: unknown): void {
  console.error(`sealcall: the ${channel} handler failed`, error);
}

export function createHost(ports: HostPorts, options: HostOptions = {}): Host {
  const handlers: HandlerTable = { ...defaultHandlers, ...options.handlers };
  const onUnexpectedError = options.onUnexpectedError ?? logUnexpectedError;
  const events = new EventHub();
  const emit: HandlerContext['emit'] = (event, payload) => {
    events.emit(event, payload);
  };
  // Opened lazily, so a host whose test only asks for app.info does not touch the disk.
  let corePromise: Promise<SealcallCore> | undefined;
  let loaded: SealcallCore | undefined;
  const core = (): Promise<SealcallCore> =>
    (corePromise ??= SealcallCore.open(ports, emit, options.tuning).then((opened) => {
      loaded = opened;
      return opened;
    }));
  const screenShare = new ScreenShareBroker();
  const context: HandlerContext = { ports, emit, core, screenShare };
  let closed = false;

  async function dispatch<C extends InvokeChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> {
    const handler: Handler<C> = handlers[channel];
    const request = parseRequest(channel, payload);
    return parseResponse(channel, await handler(request, context));
  }

  return {
    async invoke(channel, payload) {
      try {
        if (closed) throw new IpcError('internal', 'the Sealcall host is shutting down');
        if (!isInvokeChannel(channel)) {
          // parseRequest owns the refusal and its wording; for a channel outside the contract it
          // always throws, so the line after it only satisfies the type checker.
          parseRequest(channel, payload);
          throw new IpcError('unknown-channel', 'unknown IPC channel');
        }
        try {
          return { ok: true, value: await dispatch(channel, payload) };
        } catch (error) {
          if (!(error instanceof IpcError)) onUnexpectedError(channel, error);
          throw error;
        }
      } catch (error) {
        return toErrorResult(error);
      }
    },

    on(event, listener) {
      if (closed) return () => undefined;
      return events.on(event, listener);
    },

    async close() {
      closed = true;
      events.clear();
      if (corePromise) await (await corePromise.catch(() => undefined))?.close();
    },

    start() {
      return core().then(() => undefined);
    },

    handleDeepLink(link) {
      if (!closed) emit('app.deepLink', { link: formatSealcallLink(link) });
    },

    acceptFromNotification(callId) {
      if (!closed) emit('call.acceptRequested', { callId });
    },

    updateFeedUrl() {
      return loaded?.updateUrl;
    },

    updatePublicKey() {
      return loaded?.updatePublicKey;
    },

    reconnectNow() {
      loaded?.reconnectNow();
    },

    rendererGone() {
      loaded?.rendererGone();
    },

    takeScreenShare() {
      if (closed) return { ok: false, reason: 'the Sealcall host is shutting down' };
      return screenShare.take(Date.now());
    },
  };
}
