/**
 * The deepest any protocol message nests objects and arrays: `turn.credentials` → `iceServers` →
 * a server → `urls` is four. A little headroom, and nothing more: a value nested thousands deep
 * passes JSON.parse but overflows the stack of the first recursive walk over it (JSON.stringify,
 * when the server relays it), so it is refused before any schema or relay code sees it.
 */
export const MAX_MESSAGE_DEPTH = 8;

/** Whether `value` nests objects or arrays deeper than `max`. Iterative, so the check itself cannot overflow. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
