import type { RequestOf, ResponseOf } from '../../../shared/ipc';
import type { HandlerContext } from './handler';

export async function callStart(request: RequestOf<'call.start'>, { core }: HandlerContext): Promise<ResponseOf<'call.start'>> {
  return (await core()).session().calls.start(request);
}

export async function callAccept(request: RequestOf<'call.accept'>, { core }: HandlerContext): Promise<ResponseOf<'call.accept'>> {
  return (await core()).session().calls.accept(request);
}

export async function callDecline(request: RequestOf<'call.decline'>, { core }: HandlerContext): Promise<ResponseOf<'call.decline'>> {
  return (await core()).session().calls.decline(request.callId);
}

export async function callHangup(request: RequestOf<'call.hangup'>, { core }: HandlerContext): Promise<ResponseOf<'call.hangup'>> {
  return (await core()).session().calls.hangup(request.callId, request.reason);
}

export async function callSignal(request: RequestOf<'call.signal'>, { core }: HandlerContext): Promise<ResponseOf<'call.signal'>> {
  (await core()).session().calls.signal(request.callId, request.data);
  return null;
}

export async function callConnected(request: RequestOf<'call.connected'>, { core }: HandlerContext): Promise<ResponseOf<'call.connected'>> {
  return (await core()).session().calls.connected(request.callId, request.remoteSdp);
}

export async function callCurrent(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'call.current'>> {
  return (await core()).session().calls.current();
}

export async function turnIceServers(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'turn.iceServers'>> {
  const current = await core();
  return { iceServers: await current.session().iceServers(), relayOnly: current.relayOnly() };
}
