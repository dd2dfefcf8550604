/** The core's messages are clauses ("this code has expired: ask…"); shown alone, they read as sentences. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/u.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** "Bob Baker" → "Bob": friendlier in status lines, and a full name is always shown nearby. */
export function firstName(displayName: string): string {
  return displayName.trim().split(/\s+/u)[0] ?? displayName;
}
