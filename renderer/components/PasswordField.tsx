import type { ReactNode, Ref } from 'react';
import { Field } from './Field';

interface PasswordFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** 'new-password' lets a password manager offer to save it; 'current-password' to fill it. */
  autoComplete: 'new-password' | 'current-password';
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean;
  autoFocus?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled passphrase input, with its hint and error tied to it like every other field. */
export function PasswordField({ id, label, value, onChange, autoComplete, error, hint, disabled, autoFocus, inputRef }: PasswordFieldProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(describedBy, invalid) => (
        <input
          ref={inputRef}
          id={id}
          className="input"
          type="password"
          value={value}
          autoComplete={autoComplete}
          autoFocus={autoFocus}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          disabled={disabled}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      )}
    </Field>
  );
}
