import { useId } from 'react';
import { SafetyDigits } from '../../components/SafetyDigits';
import { groupCodeDigits } from './group-call-text';

/**
 * The group security code (docs/group-calls.md): every member of the group's current epoch has the
 * same digits and nobody outside it can compute them, so people who read the same code aloud know
 * nobody sits between them. It is the group's counterpart of the 1:1 short code.
 */
export function GroupSecurityCode({ code }: { code: string | null }) {
  const ids = useId();
  const digits = groupCodeDigits(code);
  return (
    <section className="group-code" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="call-side-title">
        Group security code
      </h3>
      {digits === null ? (
        <p className="short-code-pending">A code to compare appears here once the group's encryption is set up.</p>
      ) : (
        <>
          <p className="short-code-label">Read these digits aloud, group by group:</p>
          <SafetyDigits digits={digits} label="Group security code" />
          <p className="short-code-hint">
            Everyone in the call sees the same code. If someone's differs, leave the call: someone may be in the middle.
          </p>
        </>
      )}
      <p className="short-code-hint">The code changes whenever someone joins or leaves: compare it again then.</p>
    </section>
  );
}
