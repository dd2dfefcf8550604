import type { ReactNode } from 'react';
import type { SealcallBridge } from '../../shared/ipc';
import { AppFooter } from '../AppFooter';
import { ShieldMark } from '../ShieldMark';

/** The frame of the screens before the app is usable: enrollment, unlock, and what went wrong. */
export function SetupLayout({ bridge, children }: { bridge: SealcallBridge | undefined; children: ReactNode }) {
  return (
    <div className="setup">
      <header className="setup-brand">
        <ShieldMark />
        <h1 className="setup-name">Sealcall</h1>
        <p className="setup-tagline">End-to-end encrypted calls with your colleagues</p>
      </header>
      <main className="setup-main">{children}</main>
      {bridge !== undefined && <AppFooter bridge={bridge} />}
    </div>
  );
}
