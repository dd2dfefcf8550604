/*
 * Structured logs, one JSON object per line on stderr, in pino's shape (numeric level, time, msg)
 * so pino-pretty and log shippers read them. Not pino itself: the server needs a dozen lines of it,
 * and one dependency fewer is one fewer thing that can leak.
 *
 * Secrets never reach a log: callers pass only ids and counts, and as a second line of defence any
 * field whose name looks like a secret is replaced before the line is written.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVEL_NUMBER = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity } as const;
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

const SECRET_FIELD = /code|signature|secret|password|credential|nonce|token|key|payload|sdp/i;
/** Fields that match the pattern above by name but are known not to be secrets. */
const SAFE_FIELDS = new Set(['errorCode', 'closeCode', 'keyFingerprint']);

export function redact(fields: LogFields): Record<string, LogValue> {
  const out: Record<string, LogValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) && !SAFE_FIELDS.has(name) ? '[redacted]' : value;
  }
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LEVEL_NUMBER[level];
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields = {}) => {
    if (LEVEL_NUMBER[at] < threshold) return;
    write(`${JSON.stringify({ level: LEVEL_NUMBER[at], time: Date.now(), pid: process.pid, msg, ...redact(fields) })}\n`);
  };
  return {
    debug: (msg, fields) => { emit('debug', msg, fields); },
    info: (msg, fields) => { emit('info', msg, fields); },
    warn: (msg, fields) => { emit('warn', msg, fields); },
    error: (msg, fields) => { emit('error', msg, fields); },
  };
}

export const silentLogger: Logger = createLogger('silent');
