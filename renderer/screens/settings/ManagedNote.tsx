/**
 * Beside a setting the organization's config locks. Its id goes in the control's
 * aria-describedby, so a screen reader says why the control is disabled.
 */
export function ManagedNote({ id }: { id: string }) {
  return (
    <p id={id} className="managed-note">
      Managed by your organization
    </p>
  );
}
