import { CloseIcon } from './Icons';

/** A dismissible one-line message above the workspace: a call that could not start, a missed call. */
export function NoticeBar({ text, tone, onDismiss }: { text: string; tone: 'info' | 'danger'; onDismiss: () => void }) {
  return (
    <div className={`banner banner-${tone === 'danger' ? 'danger' : 'info'} banner-dismissible`} role={tone === 'danger' ? 'alert' : 'status'}>
      <span>{text}</span>
      <button type="button" className="icon-button icon-button-small" aria-label="Dismiss" onClick={onDismiss}>
        <CloseIcon />
      </button>
    </div>
  );
}
