import type { Database } from 'better-sqlite3';

/** The running server records its public URL here so the admin CLI can print enrolment links. */
export type SettingName = 'public_url';
// 'directory_epoch' is kept in the same table but read and written only by ./directory.ts.

export function readSetting(db: Database, name: SettingName): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value;
}

export function writeSetting(db: Database, name: SettingName, value: string): void {
  db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value);
}
