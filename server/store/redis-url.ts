/** Checks a --redis URL and gives a form safe to print: a password never reaches a log or an error. */
export function checkRedisUrl(raw: string): { url: string; shown: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`--redis '${redactAny(raw)}' is not a URL: use redis://host:port (or rediss:// for TLS)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`--redis must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new Error('--redis needs a host: redis://host:port');
  return { url: raw, shown: shownRedisUrl(parsed) };
}

function shownRedisUrl(parsed: URL): string {
  const copy = new URL(parsed.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

/** For text that did not even parse: drop anything between '//' and '@', where a password would be. */
function redactAny(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}
