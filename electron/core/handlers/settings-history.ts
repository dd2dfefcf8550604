import type { RequestOf, ResponseOf } from '../../../shared/ipc';
import type { HandlerContext } from './handler';

export async function settingsGet(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'settings.get'>> {
  return (await core()).settingsView();
}

export async function settingsSet(request: RequestOf<'settings.set'>, { core }: HandlerContext): Promise<ResponseOf<'settings.set'>> {
  return (await core()).setSettings(request);
}

export async function historyList(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'history.list'>> {
  return (await core()).historyView();
}

export async function historyMarkSeen(_request: undefined, { core }: HandlerContext): Promise<ResponseOf<'history.markSeen'>> {
  return (await core()).markHistorySeen();
}
