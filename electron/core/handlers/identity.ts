import type { HandlerContext } from './handler';
import type { RequestOf, ResponseOf } from '../../../shared/ipc';

export async function identityStatus(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'identity.status'>> {
  return (await core()).identityStatus();
}

export async function identityEnroll(request: RequestOf<'identity.enroll'>, { core }: HandlerContext): Promise<ResponseOf<'identity.enroll'>> {
  return (await core()).enroll(request);
}

export async function identityUnlock(request: RequestOf<'identity.unlock'>, { core }: HandlerContext): Promise<ResponseOf<'identity.unlock'>> {
  return (await core()).unlock(request.passphrase);
}

export async function connectionStatus(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'connection.status'>> {
  const current = await core();
  return current.session().connectionStatus;
}

export async function identityFingerprint(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'identity.fingerprint'>> {
  const contacts = (await core()).session().contacts;
  return { userId: contacts.selfId, digits: contacts.ownDigits() };
}

export async function connectionReconnect(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'connection.reconnect'>> {
  const current = await core();
  const session = current.session();
  current.reconnectNow();
  return session.connectionStatus;
}
