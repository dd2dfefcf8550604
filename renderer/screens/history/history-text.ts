import type { HistoryItem } from '../../../shared/ipc';
import { firstName } from '../../components/sentence';

export type HistoryKind = 'outgoing' | 'incoming' | 'missed';

/** Which icon and word a row gets: a missed call is its own kind, as in every phone's call log. */
export function historyKind(item: Pick<HistoryItem, 'direction' | 'outcome'>): HistoryKind {
  if (item.direction === 'incoming' && item.outcome === 'missed') return 'missed';
  return item.direction;
}

export const KIND_TEXT: Record<HistoryKind, string> = {
  outgoing: 'Outgoing',
  incoming: 'Incoming',
  missed: 'Missed',
};

/** "45 s", "2 min 5 s", "1 h 2 min": read aloud as well as it reads. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** How the call went, in the words of the person looking at their own history. */
export function outcomeText(item: Pick<HistoryItem, 'direction' | 'outcome' | 'durationMs' | 'peerName'>): string {
  const name = firstName(item.peerName);
  const outgoing = item.direction === 'outgoing';
  switch (item.outcome) {
    case 'completed':
      return formatDuration(item.durationMs);
    case 'missed':
      return 'Missed call';
    case 'declined':
      return outgoing ? `${name} declined` : 'You declined';
    case 'cancelled':
      return outgoing ? 'Cancelled' : `${name} hung up`;
    case 'busy':
      return outgoing ? `${name} was busy` : 'You were busy';
    case 'unanswered':
      return outgoing ? 'No answer' : 'Not answered';
    case 'failed':
      return 'Call failed';
  }
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Today's calls by their time, yesterday's as "Yesterday", older ones by their date. */
export function formatWhen(at: number, now: number, locale?: string): string {
  const when = new Date(at);
  const today = new Date(now);
  if (sameDay(when, today)) return when.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (sameDay(when, yesterday)) return 'Yesterday';
  const sameYear = when.getFullYear() === today.getFullYear();
  return when.toLocaleDateString(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The full date and time, for the tooltip and screen readers. */
export function formatFullTime(at: number, locale?: string): string {
  return new Date(at).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}

/** "3 missed calls", the badge's accessible name. */
export function missedCallsText(count: number): string {
  return count === 1 ? '1 missed call' : `${count} missed calls`;
}
