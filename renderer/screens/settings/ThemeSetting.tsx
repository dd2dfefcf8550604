import { useId } from 'react';
import type { UserSettings } from '../../../shared/settings-schema';
import { ManagedNote } from './ManagedNote';

const CHOICES: { value: UserSettings['theme']; label: string }[] = [
  { value: 'system', label: 'Same as system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function ThemeSetting({ theme, locked, onChange }: { theme: UserSettings['theme']; locked: boolean; onChange: (theme: UserSettings['theme']) => void }) {
  const ids = useId();
  return (
    <fieldset className="setting-group" disabled={locked} aria-describedby={locked ? `${ids}-managed` : undefined}>
      <legend className="setting-group-legend">Theme</legend>
      <div className="setting-choices">
        {CHOICES.map((choice) => (
          <label key={choice.value} className="check">
            <input
              type="radio"
              name={`${ids}-theme`}
              value={choice.value}
              checked={theme === choice.value}
              aria-describedby={locked ? `${ids}-managed` : undefined}
              onChange={() => {
                onChange(choice.value);
              }}
            />
            {choice.label}
          </label>
        ))}
      </div>
      {locked && <ManagedNote id={`${ids}-managed`} />}
    </fieldset>
  );
}
