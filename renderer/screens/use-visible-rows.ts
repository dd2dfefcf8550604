import { useEffect, useState, type RefObject } from 'react';
import { MAX_WATCHED_CONTACTS } from '../../shared/ipc';

/** Rows just outside the list's visible part count as shown, so a short scroll finds presence ready. */
const MARGIN = '200px 0px';

function rowId(row: Element): string | null {
  return row.getAttribute('data-contact-id');
}

/**
 * The ids of the list's rows (elements with `data-contact-id`) that are in view, in list order.
 * `rowsKey` changes whenever the rows do. Presence is followed for these (contacts.watch), not for
 * the whole directory.
 */
export function useVisibleRows(listRef: RefObject<HTMLElement | null>, rowsKey: string): readonly string[] {
  const [visible, setVisible] = useState<readonly string[]>([]);
  useEffect(() => {
    const list = listRef.current;
    const rows = list === null ? [] : [...list.querySelectorAll('[data-contact-id]')];
    const ids = rows.map(rowId).filter((id): id is string => id !== null);
    if (list === null || typeof IntersectionObserver === 'undefined') {
      // Without an observer, the first rows stand for the ones on screen.
      setVisible(ids.slice(0, MAX_WATCHED_CONTACTS));
      return undefined;
    }
    const inView = new Set<string>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = rowId(entry.target);
          if (id === null) continue;
          if (entry.isIntersecting) inView.add(id);
          else inView.delete(id);
        }
        setVisible(ids.filter((id) => inView.has(id)).slice(0, MAX_WATCHED_CONTACTS));
      },
      { root: list, rootMargin: MARGIN },
    );
    for (const row of rows) observer.observe(row);
    return () => {
      observer.disconnect();
    };
  }, [listRef, rowsKey]);
  return visible;
}
