import { getBridge } from './bridge';
import { AppFooter } from './AppFooter';
import { Masthead } from './Masthead';
import { MissingBridge } from './MissingBridge';
import { NotEnrolled } from './NotEnrolled';

export function App() {
  const bridge = getBridge();
  return (
    <div className="app">
      <Masthead />
      <main className="content">{bridge === undefined ? <MissingBridge /> : <NotEnrolled />}</main>
      {bridge !== undefined && <AppFooter bridge={bridge} />}
    </div>
  );
}
