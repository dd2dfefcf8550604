import { appInfo } from './app-info';
import { callAccept, callConnected, callCurrent, callDecline, callHangup, callSignal, callStart, turnIceServers } from './calls';
import { contactsCompareScanned, contactsList, contactsSafetyNumber, contactsSetVerified, contactsWatch } from './contacts';
import { groupAccept, groupCurrent, groupDecline, groupEnd, groupInvite, groupJanus, groupLeave, groupMemberState, groupRemove, groupSignal, groupStart } from './groups';
import type { HandlerTable } from './handler';
import { connectionReconnect, connectionStatus, identityEnroll, identityFingerprint, identityStatus, identityUnlock } from './identity';
import { historyList, historyMarkSeen, settingsGet, settingsSet } from './settings-history';
import { screenChoose, screenSources } from './screen-share';

export const defaultHandlers: HandlerTable = {
  'app.info': appInfo,
  'identity.status': identityStatus,
  'identity.enroll': identityEnroll,
  'identity.unlock': identityUnlock,
  'identity.fingerprint': identityFingerprint,
  'connection.status': connectionStatus,
  'connection.reconnect': connectionReconnect,
  'contacts.list': contactsList,
  'contacts.safetyNumber': contactsSafetyNumber,
  'contacts.setVerified': contactsSetVerified,
  'contacts.watch': contactsWatch,
  'contacts.compareScanned': contactsCompareScanned,
  'call.start': callStart,
  'call.accept': callAccept,
  'call.decline': callDecline,
  'call.hangup': callHangup,
  'call.signal': callSignal,
  'call.connected': callConnected,
  'call.current': callCurrent,
  'group.start': groupStart,
  'group.invite': groupInvite,
  'group.accept': groupAccept,
  'group.decline': groupDecline,
  'group.leave': groupLeave,
  'group.end': groupEnd,
  'group.remove': groupRemove,
  'group.signal': groupSignal,
  'group.memberState': groupMemberState,
  'group.janus': groupJanus,
  'group.current': groupCurrent,
  'settings.get': settingsGet,
  'settings.set': settingsSet,
  'history.list': historyList,
  'history.markSeen': historyMarkSeen,
  'turn.iceServers': turnIceServers,
  'screen.sources': screenSources,
  'screen.choose': screenChoose,
};
