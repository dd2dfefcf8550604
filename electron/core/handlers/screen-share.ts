import { IpcError, type RequestOf, type ResponseOf } from '../../../shared/ipc';
import { offerableSources } from '../shell-policy/capture-sources';
import type { HandlerContext } from './handler';

export async function screenSources(_request: undefined, { ports, screenShare }: HandlerContext): Promise<ResponseOf<'screen.sources'>> {
  const list = ports.captureSources;
  if (list === undefined) throw new IpcError('share-unavailable', 'screen sharing is not available in this version of Sealcall');
  const listed = await list().catch(() => {
    // The OS's refusal (macOS screen-recording permission, a Wayland portal) is worded for
    // developers; the user gets ours.
    throw new IpcError('share-unavailable', 'Sealcall could not list your screens and windows: check that it may record the screen');
  });
  const offered = offerableSources(listed);
  screenShare.offerSources(offered, Date.now());
  return offered;
}

export function screenChoose(request: RequestOf<'screen.choose'>, { screenShare }: HandlerContext): ResponseOf<'screen.choose'> {
  screenShare.arm(request.sourceId, Date.now());
  return null;
}
