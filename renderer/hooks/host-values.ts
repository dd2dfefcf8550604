import type { CallEvent, CallView, ConnectionState, Contact, IdentityStatus, SealcallBridge, SettingsView } from '../../shared/ipc';
import { useHostValue, type HostValue } from './use-host-value';

const same = <T>(payload: T): T => payload;

export function useIdentity(bridge: SealcallBridge): HostValue<IdentityStatus> {
  return useHostValue(bridge, 'identity.changed', loadIdentity, same);
}

export function useConnection(bridge: SealcallBridge): HostValue<ConnectionState> {
  return useHostValue(bridge, 'connection.changed', loadConnection, same);
}

export function useContacts(bridge: SealcallBridge): HostValue<readonly Contact[]> {
  return useHostValue(bridge, 'contacts.changed', loadContacts, same);
}

export function useSettings(bridge: SealcallBridge): HostValue<SettingsView> {
  return useHostValue(bridge, 'settings.changed', loadSettings, same);
}

/**
 * The core's view of the current call, including the last one's end (state 'ended'), for a page
 * without a call engine; with one, the engine's CallController follows the calls.
 */
export function useCallView(bridge: SealcallBridge): HostValue<CallView | null> {
  return useHostValue(bridge, 'call.event', loadCall, viewOf);
}

function viewOf(event: CallEvent): CallView | undefined {
  return event.kind === 'view' ? event.view : undefined;
}

function loadIdentity(bridge: SealcallBridge) {
  return bridge.invoke('identity.status');
}
function loadConnection(bridge: SealcallBridge) {
  return bridge.invoke('connection.status');
}
function loadContacts(bridge: SealcallBridge) {
  return bridge.invoke('contacts.list');
}
function loadSettings(bridge: SealcallBridge) {
  return bridge.invoke('settings.get');
}
function loadCall(bridge: SealcallBridge) {
  return bridge.invoke('call.current');
}
