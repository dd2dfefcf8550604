import type { ComponentType } from 'react';
import { PeopleIcon } from '../components/Icons';
import { ClockIcon, GearIcon, KeyboardIcon } from '../components/NavIcons';
import { missedCallsText } from './history/history-text';
import './main-nav.css';

export type MainTab = 'contacts' | 'calls' | 'settings';

const TABS: readonly { tab: MainTab; label: string; icon: ComponentType<{ className?: string }> }[] = [
  { tab: 'contacts', label: 'Contacts', icon: PeopleIcon },
  { tab: 'calls', label: 'Calls', icon: ClockIcon },
  { tab: 'settings', label: 'Settings', icon: GearIcon },
];

interface MainNavProps {
  current: MainTab;
  onChange: (tab: MainTab) => void;
  /** Incoming calls missed since the user last opened Calls: the badge. */
  unseenMissed: number;
  onShowShortcuts: () => void;
  shortcutsKeys: string;
}

/** The rail on the left: the app's three places, and the keyboard-shortcuts list. */
export function MainNav({ current, onChange, unseenMissed, onShowShortcuts, shortcutsKeys }: MainNavProps) {
  return (
    <nav className="main-nav" aria-label="Sealcall">
      <ul className="main-nav-list">
        {TABS.map(({ tab, label, icon: TabIcon }) => (
          <li key={tab}>
            <button
              type="button"
              className={tab === current ? 'main-nav-item main-nav-item-current' : 'main-nav-item'}
              aria-current={tab === current ? 'page' : undefined}
              onClick={() => {
                onChange(tab);
              }}
            >
              <span className="main-nav-icon">
                <TabIcon />
              </span>
              <span className="main-nav-label">{label}</span>
              {/* After the label, so a screen reader says "Calls, 3 missed calls"; drawn on the icon. */}
              {tab === 'calls' && unseenMissed > 0 && (
                <span className="main-nav-badge" role="img" aria-label={missedCallsText(unseenMissed)}>
                  {unseenMissed > 99 ? '99+' : unseenMissed}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="main-nav-item main-nav-shortcuts"
        aria-keyshortcuts={shortcutsKeys}
        title="Keyboard shortcuts (?)"
        onClick={onShowShortcuts}
      >
        <span className="main-nav-icon">
          <KeyboardIcon />
        </span>
        <span className="main-nav-label">Shortcuts</span>
      </button>
    </nav>
  );
}
