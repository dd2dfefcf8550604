import { ShieldMark } from './ShieldMark';

export function Masthead() {
  return (
    <header className="masthead">
      <ShieldMark />
      <div>
        <h1 className="masthead-name">Sealcall</h1>
        <p className="masthead-tagline">End-to-end encrypted calls with your colleagues.</p>
      </div>
    </header>
  );
}
