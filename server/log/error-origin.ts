/**
 * Where an error was thrown, for a log line: its class and its stack frames, files and lines
 * only. Never its message, which can quote what was being handled (a message from a client, a
 * key, a code).
 */
export function errorOrigin(error: unknown, frames = 5): { errorName: string; thrownAt: string | undefined } {
  if (!(error instanceof Error)) return { errorName: typeof error, thrownAt: undefined };
  // V8's stack starts with "Name: message", and a message can run over several lines (one that
  // quotes an SDP, say), any of which could start with "at ": only what follows it is frames.
  const header = String(error);
  const raw = error.stack ?? '';
  const stack = (raw.startsWith(header) ? raw.slice(header.length) : '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, frames)
    .map((line) => line.slice(0, 200));
  return { errorName: error.name, thrownAt: stack.length > 0 ? stack.join(' | ') : undefined };
}
