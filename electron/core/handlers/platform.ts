import type { ResponseOf } from '../../../shared/ipc';

export type ContractPlatform = ResponseOf<'app.info'>['platform'];

/** The contract names only the desktop platforms we ship for; anything else is 'other'. */
export function toContractPlatform(platform: NodeJS.Platform): ContractPlatform {
  switch (platform) {
    case 'linux':
    case 'darwin':
    case 'win32':
      return platform;
    default:
      return 'other';
  }
}
