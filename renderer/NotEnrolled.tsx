export function NotEnrolled() {
  return (
    <section className="panel" aria-labelledby="not-enrolled-heading">
      <h2 id="not-enrolled-heading">Not enrolled yet</h2>
      <p>
        This device is not set up for calls yet. Your IT team sends you an enrollment link; open it on this computer
        and Sealcall sets itself up.
      </p>
      <p className="hint">
        The link works once and expires after a while. If yours has expired, ask IT for a new one.
      </p>
    </section>
  );
}
