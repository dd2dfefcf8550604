const GROUP = 5;

/** "123451234512345…" → ["12345", "12345", …]. */
export function groupsOf(digits: string, size: number): string[] {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += size) groups.push(digits.slice(i, i + size));
  return groups;
}

/**
 * The 60 digits as 12 groups of 5 in a grid of three rows, the way Signal shows them, so two people
 * can read them aloud group by group. Each group is named digit by digit for screen readers, which
 * would otherwise read "12345" as a number.
 */
export function SafetyDigits({ digits, label }: { digits: string; label: string }) {
  return (
    <ol className="safety-digits" aria-label={label}>
      {groupsOf(digits, GROUP).map((group, index) => (
        <li key={index} aria-label={group.split('').join(' ')}>
          {group}
        </li>
      ))}
    </ol>
  );
}
