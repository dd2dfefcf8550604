import type { SealcallBridge } from '../shared/ipc';
import { useAppInfo } from './use-app-info';

export function AppFooter({ bridge }: { bridge: SealcallBridge }) {
  const state = useAppInfo(bridge);
  let text: string;
  switch (state.status) {
    case 'loading':
      text = 'Sealcall';
      break;
    case 'ready':
      text = `Sealcall ${state.info.version} · ${state.info.host}`;
      break;
    case 'failed':
      text = `Sealcall · could not reach the app: ${state.message}`;
      break;
  }
  return (
    <footer className="app-footer">
      <p aria-live="polite" aria-busy={state.status === 'loading'}>
        {text}
      </p>
    </footer>
  );
}
