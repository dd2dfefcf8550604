import { ChevronLeftIcon } from '../../components/Icons';
import { pageText } from './group-call-text';

interface GridPagerProps {
  /** From 0. */
  page: number;
  pageCount: number;
  onPage: (page: number) => void;
}

/**
 * "1 / 6" between previous and next, under a grid with more people than a page holds. PageUp and
 * PageDown turn pages too (the call screen listens for them). The page is announced politely.
 * At either end a button is marked aria-disabled rather than disabled, so the keyboard focus on
 * it stays there instead of falling out of the call.
 */
export function GridPager({ page, pageCount, onPage }: GridPagerProps) {
  if (pageCount <= 1) return null;
  return (
    <nav className="group-pager" aria-label="Pages of people">
      <button
        type="button"
        className="group-pager-button"
        aria-label="Previous page of people"
        aria-keyshortcuts="PageUp"
        title="Previous page (Page Up)"
        aria-disabled={page <= 0}
        onClick={() => {
          if (page > 0) onPage(page - 1);
        }}
      >
        <ChevronLeftIcon />
      </button>
      <span className="group-pager-count" aria-hidden="true">
        {page + 1} / {pageCount}
      </span>
      <span className="visually-hidden" role="status" aria-live="polite">
        {pageText(page, pageCount)}
      </span>
      <button
        type="button"
        className="group-pager-button"
        aria-label="Next page of people"
        aria-keyshortcuts="PageDown"
        title="Next page (Page Down)"
        aria-disabled={page >= pageCount - 1}
        onClick={() => {
          if (page < pageCount - 1) onPage(page + 1);
        }}
      >
        <ChevronLeftIcon className="group-pager-next" />
      </button>
    </nav>
  );
}
