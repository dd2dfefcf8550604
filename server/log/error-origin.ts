/**
 * Where an error was thrown, for a log line: its class and its stack frames, files and lines
 * only. Never its message, which can quote what was being handled (a message from a client, a
 * key, a code).
 */
export function errorOrigin(error: unknown, frames = 5): { errorName: string; thrownAt: string | undefined } {
  if (!(error instanceof Error)) return { errorName: typeof error, thrownAt: undefined };
  const stack = (error.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, frames)
    .map((line) => line.slice(0, 200));
  return { errorName: error.name, thrownAt: stack.length > 0 ? stack.join(' | ') : undefined };
}
