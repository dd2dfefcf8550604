/**
 * Holds items that arrive before anyone can take them (a deep link that launched the app arrives
 * before the window and host exist), then hands them over in order once a taker attaches. Bounded,
 * dropping the oldest, so a flood of links cannot grow memory.
 */
export interface HoldingQueue<T> {
  push(item: T): void;
  attach(taker: (item: T) => void): void;
}

export function createHoldingQueue<T>(limit: number): HoldingQueue<T> {
  const held: T[] = [];
  let taker: ((item: T) => void) | null = null;
  return {
    push(item) {
      if (taker !== null) {
        taker(item);
        return;
      }
      held.push(item);
      if (held.length > limit) held.shift();
    },
    attach(next) {
      taker = next;
      for (const item of held.splice(0)) next(item);
    },
  };
}
