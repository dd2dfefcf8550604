import type { Database } from 'better-sqlite3';

/** A group call's document as JSON (server/groups/group-doc.ts), or null once the call is over. */
export function saveGroupCall(db: Database, groupId: string, doc: string | null): void {
  if (doc === null) db.prepare('DELETE FROM group_calls WHERE group_id = ?').run(groupId);
  else db.prepare('INSERT INTO group_calls (group_id, doc) VALUES (?, ?) ON CONFLICT(group_id) DO UPDATE SET doc = excluded.doc').run(groupId, doc);
}

export function loadGroupCalls(db: Database): { groupId: string; doc: string }[] {
  return (db.prepare('SELECT group_id, doc FROM group_calls ORDER BY group_id').all() as { group_id: string; doc: string }[]).map((row) => ({ groupId: row.group_id, doc: row.doc }));
}
