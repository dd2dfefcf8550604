import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { markPng } from '../core/shell-policy/app-icon';
import type { CallActivity } from '../core/shell-policy/call-activity';
import { trayModel, type Presence, type TrayAction, type TrayItem } from '../core/shell-policy/tray-menu';

export interface TrayControls {
  update(presence: Presence, activity: CallActivity): void;
  destroy(): void;
}

/**
 * The tray icon (the shield with a presence dot, drawn in code) and its menu, both from
 * core/shell-policy. Some Linux desktops show no tray at all; the app still works there, and
 * starting Sealcall again brings the window back.
 */
export function createTray(actions: Readonly<Record<TrayAction, () => void>>): TrayControls {
  const icons = new Map<Presence, NativeImage>();
  const iconFor = (presence: Presence): NativeImage => {
    let icon = icons.get(presence);
    if (icon === undefined) {
      // 32 pixels at scale 2: a 16-point icon that stays sharp on high-density displays.
      icon = nativeImage.createFromBuffer(Buffer.from(markPng(32, { presence })), { scaleFactor: 2 });
      icons.set(presence, icon);
    }
    return icon;
  };

  const tray = new Tray(iconFor('offline'));
  tray.on('click', actions.show);

  const toMenuItem = (item: TrayItem): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'status':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, click: actions[item.action] };
    }
  };

  return {
    update(presence, activity) {
      if (tray.isDestroyed()) return;
      const model = trayModel(presence, activity);
      tray.setImage(iconFor(presence));
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(model.items.map(toMenuItem)));
    },
    destroy() {
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
