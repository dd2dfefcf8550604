import '../shared/zod-csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getCallEngine } from './call/engine-instance';
import { getGroupCallEngine } from './call/group/group-engine-instance';
import { CallEngineContext } from './hooks/call-engine-context';
import { GroupEngineContext } from './screens/group/group-engine-context';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html lost its #root element');

// One engine for the page's lifetime, made before the first render: the screens get it through
// the context, and render without it (calls then say they cannot start) outside Sealcall.
const engine = getCallEngine();
const groupEngine = getGroupCallEngine();

createRoot(container).render(
  <StrictMode>
    <CallEngineContext value={engine}>
      <GroupEngineContext value={groupEngine}>
        <App />
      </GroupEngineContext>
    </CallEngineContext>
  </StrictMode>,
);
