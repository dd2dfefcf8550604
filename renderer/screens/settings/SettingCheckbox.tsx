import { useId } from 'react';
import { Checkbox } from '../../components/Checkbox';
import { ManagedNote } from './ManagedNote';

interface SettingCheckboxProps {
  label: string;
  hint?: string;
  checked: boolean;
  locked: boolean;
  onChange: (checked: boolean) => void;
}

/** One on/off setting, with its hint, and the managed note when the organization locks it. */
export function SettingCheckbox({ label, hint, checked, locked, onChange }: SettingCheckboxProps) {
  const ids = useId();
  const describedBy = [hint === undefined ? undefined : `${ids}-hint`, locked ? `${ids}-managed` : undefined].filter((id) => id !== undefined).join(' ');
  return (
    <div className="setting-row">
      <Checkbox label={label} checked={checked} disabled={locked} describedBy={describedBy === '' ? undefined : describedBy} onChange={onChange} />
      {hint !== undefined && (
        <p id={`${ids}-hint`} className="field-hint setting-hint">
          {hint}
        </p>
      )}
      {locked && <ManagedNote id={`${ids}-managed`} />}
    </div>
  );
}
