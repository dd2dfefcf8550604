/** Polling from Node until something in a page or process is so, for the browser benchmarks. */
import { sleep } from './bench-calls';

/**
 * Reads until `done` holds and returns that reading; past `limitMs` it throws with the last one.
 * The limit only bounds what never happens (a bug): no figure is timed by this loop.
 */
export async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, limitMs: number): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${String(limitMs / 1000)} s: ${JSON.stringify(value).slice(0, 600)}`);
    await sleep(100);
  }
}
