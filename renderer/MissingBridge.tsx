export function MissingBridge() {
  return (
    <section className="card setup-card card-danger" role="alert" aria-labelledby="missing-bridge-heading">
      <h2 id="missing-bridge-heading">Open Sealcall to use this page</h2>
      <p>
        This page is part of the Sealcall app and only works inside it. It was opened somewhere else, so it cannot reach the app and
        shows nothing more.
      </p>
    </section>
  );
}
