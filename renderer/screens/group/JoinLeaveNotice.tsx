import { noticeText, type GroupNotice } from './group-call-text';

/** The last few notices stay in the region, each fading out on its own. */
const SHOWN = 3;

/**
 * "Dana joined", "Bob left": a polite live region, always in the page so that a screen reader
 * announces each notice added to it. It fades each notice with CSS, so it needs no timer; the
 * caller may drop old notices whenever it likes.
 */
export function JoinLeaveNotice({ notices }: { notices: readonly GroupNotice[] }) {
  return (
    <div className="group-notices" role="status" aria-live="polite">
      {notices.slice(-SHOWN).map((notice) => (
        <p key={notice.id} className="group-notice">
          {noticeText(notice)}
        </p>
      ))}
    </div>
  );
}
