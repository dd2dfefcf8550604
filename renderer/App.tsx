import { useEffect, useState } from 'react';
import type { IdentityStatus, SealcallBridge } from '../shared/ipc';
import { getBridge } from './bridge';
import { SetupLayout } from './components/SetupLayout';
import { useIdentity } from './hooks/host-values';
import { MissingBridge } from './MissingBridge';
import { EnrollScreen } from './screens/EnrollScreen';
import { IdentityErrorScreen } from './screens/IdentityErrorScreen';
import { MainScreen } from './screens/MainScreen';
import { useDocumentTheme } from './screens/settings/use-document-theme';
import { UnlockScreen } from './screens/UnlockScreen';

export function App() {
  const bridge = getBridge();
  if (bridge === undefined) {
    return (
      <SetupLayout bridge={undefined}>
        <MissingBridge />
      </SetupLayout>
    );
  }
  return <Sealcall bridge={bridge} />;
}

/** Picks the screen from where this computer's identity stands. */
function Sealcall({ bridge }: { bridge: SealcallBridge }) {
  useDocumentTheme(bridge);
  const loaded = useIdentity(bridge);
  // The latest of the host's event and the answer to enroll/unlock, whichever came last.
  const [identity, setIdentity] = useState<IdentityStatus | null>(null);
  useEffect(() => {
    if (loaded.status === 'ready') setIdentity(loaded.value);
  }, [loaded]);

  if (loaded.status === 'failed') {
    return (
      <SetupLayout bridge={bridge}>
        <section className="card setup-card card-danger" role="alert">
          <h2>Sealcall could not start</h2>
          <p>{loaded.message}</p>
          <p className="muted">Quit Sealcall and open it again. If this keeps happening, contact IT.</p>
        </section>
      </SetupLayout>
    );
  }
  if (identity === null) {
    return (
      <SetupLayout bridge={bridge}>
        <p className="setup-loading" role="status">
          Starting Sealcall…
        </p>
      </SetupLayout>
    );
  }
  switch (identity.state) {
    case 'ready':
      return <MainScreen bridge={bridge} identity={identity} />;
    case 'not-enrolled':
      return (
        <SetupLayout bridge={bridge}>
          <EnrollScreen bridge={bridge} passphraseRequired={identity.passphraseRequired} onEnrolled={setIdentity} />
        </SetupLayout>
      );
    case 'locked':
      return (
        <SetupLayout bridge={bridge}>
          <UnlockScreen bridge={bridge} identity={identity} onUnlocked={setIdentity} />
        </SetupLayout>
      );
    case 'error':
      return (
        <SetupLayout bridge={bridge}>
          <IdentityErrorScreen error={identity} />
        </SetupLayout>
      );
  }
}
