import type { Database } from 'better-sqlite3';
import { lastRevocationId, revocationsAfter } from './revocations';

/**
 * Notices revocations written by the admin CLI, which runs in another process.
 *
 * Why polling: the CLI must work whether or not the server is up, and an admin socket would be one
 * more thing to secure. SQLite's `PRAGMA data_version` changes only when another connection has
 * committed, and reading it touches no table (in WAL mode it reads the shared-memory index), so
 * polling it every half second costs nothing measurable; the revocations table is queried only
 * when it moved.
 */
export class RevocationWatcher {
  private lastId: number;
  private lastDataVersion: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly onRevoked: (userId: string) => void,
  ) {
    this.lastId = lastRevocationId(db);
    this.lastDataVersion = this.dataVersion();
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => { this.check(); }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One poll; public so a test can run it without waiting for the timer. */
  check(): void {
    const version = this.dataVersion();
    if (version === this.lastDataVersion) return;
    this.lastDataVersion = version;
    for (const revocation of revocationsAfter(this.db, this.lastId)) {
      this.lastId = revocation.id;
      this.onRevoked(revocation.userId);
    }
  }

  private dataVersion(): number {
    return Number(this.db.pragma('data_version', { simple: true }));
  }
}
