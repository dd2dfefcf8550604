import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ensureDirectoryEpoch } from './directory';
import { migrate } from './migrations';

export const DATABASE_FILE = 'sealcall.db';

/**
 * Opens (creating if needed) the data directory's database, in WAL mode so that the admin CLI can
 * write while the server reads, and brings its schema up to date.
 */
export function openDatabase(dataDir: string): Database {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DATABASE_FILE);
  const db = new BetterSqlite3(file);
  try {
    // The file holds who may join and with which key: nobody else on the machine needs to read it.
    chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before the server answers, so nothing acknowledged (an enrolment,
    // a revocation) is lost to a power cut. The writes are rare; the cost does not show.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // The CLI and the server share the file; wait for the other's write instead of failing.
    db.pragma('busy_timeout = 5000');
    migrate(db);
    ensureDirectoryEpoch(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
