import { getBridge } from '../bridge';
import type { CallEngine } from './call-engine-types';
import { createCallEngine, type InspectableCallEngine } from './call-engine';
import { installDiagnostics } from './diagnostics';

let instance: InspectableCallEngine | null | undefined;

/**
 * The page's one call engine, made on first use from window.sealcall; null outside Sealcall (no
 * bridge). Creating it also installs window.sealcallDiagnostics.
 */
export function getCallEngine(): CallEngine | null {
  if (instance === undefined) {
    const bridge = getBridge();
    instance = bridge === undefined ? null : createCallEngine(bridge);
    if (instance !== null) installDiagnostics(instance);
  }
  return instance;
}
