import { ShieldMark } from '../ShieldMark';

export function EmptyPane({ hasContacts }: { hasContacts: boolean }) {
  return (
    <div className="pane-empty">
      <ShieldMark />
      <p className="pane-empty-title">{hasContacts ? 'Call a colleague' : 'Welcome to Sealcall'}</p>
      <p className="pane-empty-text">
        {hasContacts
          ? 'Pick someone on the left to see their details and safety number, or call them straight from the list.'
          : 'Your colleagues show up on the left once IT has enrolled them.'}{' '}
        Every call is end-to-end encrypted: only you and the person you call can hear and see it.
      </p>
    </div>
  );
}
