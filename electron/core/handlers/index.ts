import { appInfo } from './app-info';
import { callAccept, callConnected, callCurrent, callDecline, callHangup, callSignal, callStart, turnIceServers } from './calls';
import { contactsCompareScanned, contactsList, contactsSafetyNumber, contactsSetVerified } from './contacts';
import type { HandlerTable } from './handler';
import { connectionStatus, identityEnroll, identityStatus, identityUnlock } from './identity';
import { historyList, historyMarkSeen, settingsGet, settingsSet } from './settings-history';

export const defaultHandlers: HandlerTable = {
  'app.info': appInfo,
  'identity.status': identityStatus,
  'identity.enroll': identityEnroll,
  'identity.unlock': identityUnlock,
  'connection.status': connectionStatus,
  'contacts.list': contactsList,
  'contacts.safetyNumber': contactsSafetyNumber,
  'contacts.setVerified': contactsSetVerified,
  'contacts.compareScanned': contactsCompareScanned,
  'call.start': callStart,
  'call.accept': callAccept,
  'call.decline': callDecline,
  'call.hangup': callHangup,
  'call.signal': callSignal,
  'call.connected': callConnected,
  'call.current': callCurrent,
  'settings.get': settingsGet,
  'settings.set': settingsSet,
  'history.list': historyList,
  'history.markSeen': historyMarkSeen,
  'turn.iceServers': turnIceServers,
};
