/** The app's mark, drawn inline so it needs no image file and follows the text colour. */
export function ShieldMark() {
  return (
    <svg className="shield-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M16 2 4 6.5v8.2C4 22.4 9.1 28.6 16 30c6.9-1.4 12-7.6 12-15.3V6.5L16 2Z" />
      <path className="shield-mark-lock" d="M12 15v-2.5a4 4 0 0 1 8 0V15h1v7H11v-7h1Zm2 0h4v-2.5a2 2 0 0 0-4 0V15Z" />
    </svg>
  );
}
