import { IpcError, type RequestOf, type ResponseOf } from '../../../shared/ipc';
import { isGroupError } from '../group/group-error';
import { groupViewToWire } from '../group/group-event-wire';
import { JanusRelayError } from '../group/janus-relay';
import type { HandlerContext } from './handler';

/*
 * The group-call channels (docs/group-calls.md). The core's GroupCallManager does the work; a
 * refusal of the MLS layer or the pinned keys reaches the renderer as `group-refused` with its
 * reason, and a group this device is not in as `no-such-group`.
 */

async function groups(context: HandlerContext) {
  return (await context.core()).session().groups;
}

async function refusalsAsIpc<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isGroupError(error, 'no-such-group')) throw new IpcError('no-such-group', error.message);
    if (isGroupError(error, 'invalid-input')) throw new IpcError('bad-request', error.message);
    if (isGroupError(error, 'key-changed')) throw new IpcError('key-changed', error.message);
    if (isGroupError(error, 'in-call')) throw new IpcError('in-call', error.message);
    if (isGroupError(error)) throw new IpcError('group-refused', `${error.code}: ${error.message}`);
    throw error;
  }
}

export async function groupStart(request: RequestOf<'group.start'>, context: HandlerContext): Promise<ResponseOf<'group.start'>> {
  const manager = await groups(context);
  return groupViewToWire(
    await refusalsAsIpc(() => manager.create({
        groupId: request.groupId,
        invitees: request.invitees,
        media: request.media,
        fingerprint: request.fingerprint,
        confirmKeyChange: request.confirmKeyChange,
        ...(request.upgradeFrom === undefined ? {} : { upgradeFrom: request.upgradeFrom }),
      })),
  );
}

export async function groupInvite(request: RequestOf<'group.invite'>, context: HandlerContext): Promise<ResponseOf<'group.invite'>> {
  const manager = await groups(context);
  return groupViewToWire(await refusalsAsIpc(() => manager.invite(request.groupId, request.userIds, request.confirmKeyChange === true)));
}

export async function groupAccept(request: RequestOf<'group.accept'>, context: HandlerContext): Promise<ResponseOf<'group.accept'>> {
  const manager = await groups(context);
  return groupViewToWire(await refusalsAsIpc(() => manager.accept(request.groupId, request.fingerprint, request.confirmKeyChange === true)));
}

export async function groupDecline(request: RequestOf<'group.decline'>, context: HandlerContext): Promise<ResponseOf<'group.decline'>> {
  const manager = await groups(context);
  await refusalsAsIpc(() => { manager.decline(request.groupId); });
  return null;
}

export async function groupLeave(request: RequestOf<'group.leave'>, context: HandlerContext): Promise<ResponseOf<'group.leave'>> {
  const manager = await groups(context);
  await refusalsAsIpc(() => { manager.leave(request.groupId); });
  return null;
}

export async function groupEnd(request: RequestOf<'group.end'>, context: HandlerContext): Promise<ResponseOf<'group.end'>> {
  const manager = await groups(context);
  await refusalsAsIpc(() => { manager.end(request.groupId); });
  return null;
}

export async function groupRemove(request: RequestOf<'group.remove'>, context: HandlerContext): Promise<ResponseOf<'group.remove'>> {
  const manager = await groups(context);
  await refusalsAsIpc(() => { manager.remove(request.groupId, request.userId); });
  return null;
}

export async function groupSignal(request: RequestOf<'group.signal'>, context: HandlerContext): Promise<ResponseOf<'group.signal'>> {
  const manager = await groups(context);
  const sent = await refusalsAsIpc(() => manager.signal(request.groupId, request.to, request.data));
  if (!sent) throw new IpcError('not-connected', 'not connected to the Sealcall server; the signal was not sent');
  return null;
}

export async function groupCurrent(_request: undefined, context: HandlerContext): Promise<ResponseOf<'group.current'>> {
  const view = (await groups(context)).current();
  return view === undefined ? null : groupViewToWire(view);
}

/**
 * This device's state to every member of the call, as an MLS application message; the core keeps
 * it and sends it again to whoever joins. Sent at most every 600 ms: a burst sends the latest.
 */
export async function groupMemberState(request: RequestOf<'group.memberState'>, context: HandlerContext): Promise<ResponseOf<'group.memberState'>> {
  const manager = await groups(context);
  await refusalsAsIpc(() => { manager.memberState(request.groupId, request.state); });
  return null;
}

/**
 * One request of the page to the call's Janus, carried by the core to the seat the server issued
 * (docs/protocol.md, "Reaching Janus from the app"): Janus down, slow or answering garbage is
 * `sfu-unreachable`, a call with no seat `no-such-group`.
 */
export async function groupJanus(request: RequestOf<'group.janus'>, context: HandlerContext): Promise<ResponseOf<'group.janus'>> {
  const manager = await groups(context);
  try {
    return await refusalsAsIpc(() => manager.janus(request.groupId, request.call));
  } catch (error) {
    if (error instanceof JanusRelayError) throw new IpcError('sfu-unreachable', error.message);
    throw error;
  }
}
