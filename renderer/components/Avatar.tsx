const PALETTE_SIZE = 8;

/** Up to two initials: "Bob Baker" → "BB", "bob" → "B". */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/u).filter((word) => word !== '');
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A stable colour per user id, so a colleague keeps the same colour everywhere. */
function paletteIndex(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % PALETTE_SIZE;
}

export function Avatar({ id, name, size = 'medium' }: { id: string; name: string; size?: 'small' | 'medium' | 'large' | 'huge' }) {
  return (
    <span className={`avatar avatar-${size} avatar-c${paletteIndex(id)}`} aria-hidden="true">
      {initialsOf(name)}
    </span>
  );
}
