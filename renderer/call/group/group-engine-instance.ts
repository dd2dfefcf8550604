import { getBridge } from '../../bridge';
import { createGroupCallEngine } from './group-engine';
import { installGroupDiagnostics, type InspectableGroupEngine } from './group-diagnostics';
import type { GroupCallEngine } from './group-engine-types';

let instance: InspectableGroupEngine | null | undefined;

/**
 * The page's one group call engine, made on first use from window.sealcall; null outside Sealcall
 * (no bridge). Creating it also installs window.sealcallGroupDiagnostics.
 */
export function getGroupCallEngine(): GroupCallEngine | null {
  if (instance === undefined) {
    const bridge = getBridge();
    instance = bridge === undefined ? null : createGroupCallEngine(bridge);
    if (instance !== null) installGroupDiagnostics(instance);
  }
  return instance;
}
