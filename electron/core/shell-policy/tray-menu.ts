import type { CallActivity } from './call-activity';

export type Presence = 'online' | 'busy' | 'offline' | 'connecting';

export type TrayAction = 'show' | 'hang-up' | 'quit';

export type TrayItem =
  | { readonly kind: 'status'; readonly label: string }
  | { readonly kind: 'separator' }
  | { readonly kind: 'action'; readonly action: TrayAction; readonly label: string };

export interface TrayModel {
  readonly tooltip: string;
  readonly items: readonly TrayItem[];
}

const PRESENCE_LABEL: Readonly<Record<Presence, string>> = {
  online: 'Online',
  busy: 'Busy',
  offline: 'Offline',
  connecting: 'Connecting…',
};

/** The tray's menu as data; the shell maps each action to what it does. */
export function trayModel(presence: Presence, activity: CallActivity): TrayModel {
  const status = activity.active === null ? PRESENCE_LABEL[presence] : `In a call with ${activity.active.peerName}`;
  const items: TrayItem[] = [
    { kind: 'status', label: status },
    { kind: 'separator' },
    { kind: 'action', action: 'show', label: 'Show Sealcall' },
  ];
  if (activity.active !== null) items.push({ kind: 'action', action: 'hang-up', label: 'Hang Up' });
  items.push({ kind: 'separator' }, { kind: 'action', action: 'quit', label: 'Quit Sealcall' });
  return { tooltip: `Sealcall — ${status}`, items };
}
