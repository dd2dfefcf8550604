import { IPC_CONTRACT_VERSION, type ResponseOf } from '../../../shared/ipc';
import type { HandlerContext } from './handler';
import { toContractPlatform } from './platform';

export function appInfo(_request: undefined, { ports }: HandlerContext): ResponseOf<'app.info'> {
  return {
    version: ports.version,
    contractVersion: IPC_CONTRACT_VERSION,
    platform: toContractPlatform(process.platform),
    host: ports.kind,
  };
}
