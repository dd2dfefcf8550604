import type { Contact } from '../../shared/ipc';

/**
 * Says loudly that this device lost its pinned keys (its contacts file was damaged, changed outside
 * Sealcall, or deleted): every verification is gone, and the keys now shown were never checked
 * against the earlier ones. It stays until each contact is verified again or called anyway.
 */
export function PinsLostBanner({ contacts }: { contacts: readonly Contact[] }) {
  const lost = contacts.filter((contact) => contact.pinLost).length;
  if (lost === 0) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <span>
        Sealcall's record of your contacts' keys was damaged or changed outside Sealcall, so your verifications were lost.{' '}
        {lost === 1 ? 'One contact needs' : `${lost} contacts need`} verifying again: compare safety numbers before you discuss anything
        sensitive.
      </span>
    </div>
  );
}
