import type { Database } from 'better-sqlite3';

/**
 * `public_url`: the running server records it so the admin CLI can print enrolment links.
 * `directory_epoch`: made once per store (directory-version.ts).
 */
export type SettingName = 'public_url' | 'directory_epoch';

export function readSetting(db: Database, name: SettingName): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value;
}

export function writeSetting(db: Database, name: SettingName, value: string): void {
  db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value);
}
