/**
 * Every key and channel the cluster uses in Redis, in one place: the Lua scripts build the same
 * names from the same prefix (see relay-lua.ts), so a rename here must be made there too.
 */
export const PREFIX = 'sealcall:';

export const KEY = {
  /** Hash userId → session token (`<instanceId>:<n>`) of the user's one live session in the cluster. */
  sessions: `${PREFIX}sessions`,
  /** Set of users in a call (ringing or active): the busy half of presence. */
  busy: `${PREFIX}busy`,
  /** Set of instance ids that have ever beaten and not yet been reaped. */
  instances: `${PREFIX}instances`,
  /** String with a TTL: present while the instance is alive. */
  heartbeat: (instanceId: string) => `${PREFIX}instance:${instanceId}`,
  /** Set of the users whose session an instance holds, so a reaper need not scan every session. */
  usersOf: (instanceId: string) => `${PREFIX}users-of:${instanceId}`,
  /** Sorted set callId → time (ms) at which its invite times out or its grace runs out. */
  deadlines: `${PREFIX}deadlines`,
  /** A group call's JSON document (server/groups/group-doc.ts), changed only by the scripts in group-lua.ts. */
  group: (groupId: string) => `${PREFIX}group:${groupId}`,
  /** String: the one group a user is a member of. */
  groupOf: (userId: string) => `${PREFIX}group-of:${userId}`,
  /** Set of the groups a user is invited to, to ring them once their app can answer. */
  groupInvited: (userId: string) => `${PREFIX}group-invited:${userId}`,
  /** List of the messages an away member missed, `group-missed:<groupId>:<userId>`. */
  groupMissed: (groupId: string, userId: string) => `${PREFIX}group-missed:${groupId}:${userId}`,
  /** Sorted set `groupId|userId` → time (ms) at which an away member's grace runs out. */
  groupDeadlines: `${PREFIX}group-deadlines`,
  /** Hash userId → token of the session that published KeyPackages: only such a session is rung. */
  ringable: `${PREFIX}ringable`,
} as const;

export const CHANNEL = {
  /** Deliveries to the sessions an instance holds. */
  instance: (instanceId: string) => `${PREFIX}to:${instanceId}`,
  /** `on|user`, `off|user`, `busy|user`, `free|user`: published by the scripts that change them, so in the order they happened. */
  presence: `${PREFIX}presence`,
  /** A user enrolled or re-keyed on some instance: every instance updates its directory. */
  directory: `${PREFIX}directory`,
} as const;
