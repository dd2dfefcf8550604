interface SearchBoxProps {
  /** What is searched, for screen readers ("Search participants"). */
  label: string;
  className: string;
  value: string;
  onChange: (value: string) => void;
}

/** A search-as-you-type box for a list of people: the lists of a meeting outgrow a glance. */
export function SearchBox({ label, className, value, onChange }: SearchBoxProps) {
  return (
    <input
      type="search"
      className={className}
      aria-label={label}
      placeholder="Search by name"
      value={value}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    />
  );
}
