import path from 'node:path';

const WINDOWS_PROGRAM_DATA = 'C:\\ProgramData';

/**
 * Where IT puts the system-wide config: a place only administrators can write, outside the user's
 * profile, so a user (or malware running as the user) cannot unlock a locked setting.
 */
export function enterpriseConfigPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  switch (platform) {
    case 'win32': {
      // Node's process.env ignores case on Windows; a plain object passed in tests does not.
      const programData = env.ProgramData ?? env.PROGRAMDATA;
      // A relative or empty value would make the path depend on the working directory.
      const base = programData !== undefined && path.win32.isAbsolute(programData) ? programData : WINDOWS_PROGRAM_DATA;
      return path.win32.join(base, 'Sealcall', 'config.json');
    }
    case 'darwin':
      return '/Library/Application Support/Sealcall/config.json';
    default:
      return '/etc/sealcall/config.json';
  }
}
