import { compareScannable, scannableFromText } from '../../../shared/crypto/safety-number';
import { IpcError, type RequestOf, type ResponseOf } from '../../../shared/ipc';
import type { HandlerContext } from './handler';

export async function contactsList(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'contacts.list'>> {
  return (await core()).session().contacts.list();
}

export async function contactsSafetyNumber(
  request: RequestOf<'contacts.safetyNumber'>,
  { core }: HandlerContext,
): Promise<ResponseOf<'contacts.safetyNumber'>> {
  const contacts = (await core()).session().contacts;
  const contact = contacts.get(request.userId);
  const number = contacts.safetyNumberWith(request.userId);
  if (!contact || !number) throw new IpcError('no-such-contact', `no contact '${request.userId}'`);
  return {
    userId: request.userId,
    digits: number.digits,
    scannable: number.scannable,
    identityKey: number.identityKey,
    verified: contact.verified,
    keyChanged: contact.keyChanged,
  };
}

export async function contactsSetVerified(
  request: RequestOf<'contacts.setVerified'>,
  { core }: HandlerContext,
): Promise<ResponseOf<'contacts.setVerified'>> {
  const session = (await core()).session();
  const contact = session.contacts.setVerified(request.userId, request.verified ? { verified: true, digits: request.digits } : { verified: false });
  if (!contact) throw new IpcError('no-such-contact', `no contact '${request.userId}'`);
  // Verified contacts' presence is followed: the set may have changed.
  session.contactsChanged();
  return contact;
}

export async function contactsWatch(request: RequestOf<'contacts.watch'>, { core }: HandlerContext): Promise<ResponseOf<'contacts.watch'>> {
  (await core()).session().watchContacts(request.userIds);
  return null;
}

export async function contactsCompareScanned(
  request: RequestOf<'contacts.compareScanned'>,
  { core }: HandlerContext,
): Promise<ResponseOf<'contacts.compareScanned'>> {
  const number = (await core()).session().contacts.safetyNumberWith(request.userId);
  if (!number) throw new IpcError('no-such-contact', `no contact '${request.userId}'`);
  try {
    return { match: compareScannable(scannableFromText(number.scannable), scannableFromText(request.scanned)) };
  } catch {
    throw new IpcError('bad-request', 'that is not a Sealcall safety-number code');
  }
}
