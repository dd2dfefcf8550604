/*
 * The Lua scripts RedisStore runs. A script runs alone on the Redis server, so each one is a
 * transaction: a check and the writes it guards cannot be split by another client (two instances
 * redeeming one code, the CLI revoking during an enrolment). Key layout: docs/deployment.md.
 * Every key is under `sealcall:`; nullable fields are simply absent from their hash.
 */

export const KEY_PREFIX = 'sealcall:';
export const REVOCATION_CHANNEL = `${KEY_PREFIX}revocations`;
/** Audit entries kept (the oldest are trimmed): years of enrolments for a 20 000-person company. */
export const AUDIT_CAP = 1_000_000;

const PRELUDE = `
local P = '${KEY_PREFIX}'
local function audit(at, actor, action, subject, detail)
  local id = redis.call('INCR', P .. 'audit:seq')
  redis.call('XADD', P .. 'audit', 'MAXLEN', '~', '${AUDIT_CAP}', '*',
    'id', id, 'at', at, 'actor', actor, 'action', action, 'subject', subject, 'detail', detail)
end
local function bump(userId)
  local version = redis.call('INCR', P .. 'dir:version')
  redis.call('HSET', P .. 'user:' .. userId, 'dirVersion', version)
  redis.call('ZADD', P .. 'dir:changes', version, userId)
  return version
end
local function cancelPending(userId, now)
  local count = 0
  for _, hash in ipairs(redis.call('SMEMBERS', P .. 'invites:' .. userId)) do
    local key = P .. 'invite:' .. hash
    if redis.call('HEXISTS', key, 'usedAt') == 0 and redis.call('HEXISTS', key, 'cancelledAt') == 0 then
      redis.call('HSET', key, 'cancelledAt', now)
      count = count + 1
    end
  end
  return count
end
local function retire(userId, now)
  local user = P .. 'user:' .. userId
  local device = redis.call('HMGET', user, 'identityKey', 'deviceName', 'enrolledAt')
  if device[1] then
    redis.call('RPUSH', P .. 'devices:' .. userId, cjson.encode({
      identityKey = device[1], deviceName = device[2], enrolledAt = device[3], retiredAt = now }))
    redis.call('HDEL', user, 'identityKey', 'deviceName', 'enrolledAt')
  end
  -- A retired device's KeyPackages name its key: nobody may be handed one any more.
  redis.call('DEL', P .. 'key-packages:' .. userId, P .. 'key-package-last:' .. userId)
end
`;

/** ARGV: userId, displayName, codeHash (hex), now, expiresAt, reinstate ('1' or '0'). Returns JSON. */
export const CREATE_INVITE = `${PRELUDE}
local userId, name, hash, now, expiresAt, reinstate = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local user = P .. 'user:' .. userId
local exists = redis.call('EXISTS', user) == 1
local revoked = exists and redis.call('HEXISTS', user, 'revokedAt') == 1
if revoked and reinstate ~= '1' then return cjson.encode({ ok = false, reason = 'revoked' }) end
if redis.call('EXISTS', P .. 'invite:' .. hash) == 1 then return redis.error_reply('this invite code is already stored') end
local cancelled = cancelPending(userId, now)
redis.call('HSET', P .. 'invite:' .. hash, 'userId', userId, 'displayName', name, 'createdAt', now, 'expiresAt', expiresAt)
redis.call('SADD', P .. 'invites:' .. userId, hash)
redis.call('SADD', P .. 'invites', hash)
local existing = 'new'
if exists and redis.call('HEXISTS', user, 'identityKey') == 1 then existing = 'enrolled' end
if revoked then
  redis.call('HDEL', user, 'revokedAt')
  audit(now, 'cli', 'user.reinstated', userId, '{}')
  existing = 'reinstated'
end
audit(now, 'cli', 'invite.created', userId, '{"expiresAt":' .. expiresAt .. ',"cancelledOlder":' .. cancelled .. '}')
return cjson.encode({ ok = true, existing = existing, cancelled = cancelled })
`;

/** ARGV: codeHash (hex), identityKey (base64), deviceName, now, audit detail (JSON). Returns JSON. */
export const REDEEM_INVITE = `${PRELUDE}
local hash, identityKey, deviceName, now, detail = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local invite = P .. 'invite:' .. hash
local row = redis.call('HMGET', invite, 'userId', 'displayName', 'expiresAt', 'usedAt', 'cancelledAt')
if not row[1] or row[5] then return cjson.encode({ ok = false, reason = 'invite-invalid' }) end
if row[4] then return cjson.encode({ ok = false, reason = 'invite-used' }) end
if tonumber(row[3]) <= tonumber(now) then return cjson.encode({ ok = false, reason = 'invite-expired' }) end
local userId, name = row[1], row[2]
local user = P .. 'user:' .. userId
local exists = redis.call('EXISTS', user) == 1
if exists and redis.call('HEXISTS', user, 'revokedAt') == 1 then return cjson.encode({ ok = false, reason = 'revoked' }) end
redis.call('HSET', invite, 'usedAt', now)
local replacedKey = false
if exists then
  replacedKey = redis.call('HEXISTS', user, 'identityKey') == 1
  redis.call('HSET', user, 'displayName', name)
  retire(userId, now)
else
  redis.call('HSET', user, 'displayName', name, 'createdAt', now)
  redis.call('SADD', P .. 'users', userId)
end
redis.call('HSET', user, 'identityKey', identityKey, 'deviceName', deviceName, 'enrolledAt', now)
local version = bump(userId)
if replacedKey then audit(now, 'server', 'user.rekeyed', userId, detail) else audit(now, 'server', 'user.enrolled', userId, detail) end
return cjson.encode({ ok = true, userId = userId, displayName = name, replacedKey = replacedKey, directoryVersion = version })
`;

/** ARGV: userId, reason ('' for none), now. Returns the outcome. Publishes the new revocation's number. */
export const REVOKE_USER = `${PRELUDE}
local userId, reason, now = ARGV[1], ARGV[2], ARGV[3]
local user = P .. 'user:' .. userId
local exists = redis.call('EXISTS', user) == 1
local pending = cancelPending(userId, now)
if not exists then
  if pending == 0 then return 'unknown-user' end
  -- Invited but never enrolled: keep a revoked row so that "refused from then on" holds.
  local name, newest = userId, -1
  for _, hash in ipairs(redis.call('SMEMBERS', P .. 'invites:' .. userId)) do
    local invite = redis.call('HMGET', P .. 'invite:' .. hash, 'displayName', 'createdAt')
    if invite[1] and tonumber(invite[2]) > newest then name, newest = invite[1], tonumber(invite[2]) end
  end
  redis.call('HSET', user, 'displayName', name, 'createdAt', now)
  redis.call('SADD', P .. 'users', userId)
elseif redis.call('HEXISTS', user, 'revokedAt') == 1 then
  return 'already-revoked'
end
redis.call('HSET', user, 'revokedAt', now)
retire(userId, now)
bump(userId)
local entry = { userId = userId, revokedAt = now }
local detail = '{"cancelledInvites":' .. pending .. '}'
if reason ~= '' then
  entry.reason = reason
  detail = '{"reason":' .. cjson.encode(reason) .. ',"cancelledInvites":' .. pending .. '}'
end
local number = redis.call('RPUSH', P .. 'revocations', cjson.encode(entry))
audit(now, 'cli', 'user.revoked', userId, detail)
redis.call('PUBLISH', P .. 'revocations', number)
return 'revoked'
`;

/** ARGV: at, actor, action, subject, detail ('' for none). */
export const APPEND_AUDIT = `${PRELUDE}
audit(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`;

/** ARGV: pairs of userId, at. A user not (or no longer) stored is skipped, never created. */
export const RECORD_LAST_SEEN = `
for i = 1, #ARGV, 2 do
  local user = '${KEY_PREFIX}user:' .. ARGV[i]
  if redis.call('EXISTS', user) == 1 then redis.call('HSET', user, 'lastSeenAt', ARGV[i + 1]) end
end
return 1
`;

/**
 * ARGV: after. The directory's changes after that version, at one moment: epoch, version, then id,
 * displayName, live key (false for a tombstone) and version of each changed user, in version
 * order. `dir:changes` holds each user once, scored by the version of its last change, so this
 * reads the changes, not the company.
 */
export const DIRECTORY_CHANGES_AFTER = `
local P = '${KEY_PREFIX}'
local out = { redis.call('HGET', P .. 'settings', 'directory_epoch'), redis.call('GET', P .. 'dir:version') or '0' }
for _, userId in ipairs(redis.call('ZRANGEBYSCORE', P .. 'dir:changes', '(' .. ARGV[1], '+inf')) do
  local row = redis.call('HMGET', P .. 'user:' .. userId, 'displayName', 'identityKey', 'revokedAt', 'dirVersion')
  local key = row[2]
  if row[3] then key = false end
  table.insert(out, userId)
  table.insert(out, row[1])
  table.insert(out, key)
  table.insert(out, row[4])
end
return out
`;

/**
 * Bulk invites, all in one script so that a list is written whole or not at all (see
 * server/db/bulk-invites.ts for the outcomes). ARGV: now, renew ('1' or '0'), then per person:
 * userId, displayName, codeHash (hex), expiresAt. Returns a JSON array of outcomes.
 */
export const BULK_INVITE = `${PRELUDE}
local now, renew = ARGV[1], ARGV[2] == '1'
-- Redis does not undo a script's writes when it fails half-way: everything that could fail is
-- checked before the first write.
local seen = {}
for i = 5, #ARGV, 4 do
  if seen[ARGV[i]] or redis.call('EXISTS', P .. 'invite:' .. ARGV[i]) == 1 then return redis.error_reply('an invite code is already stored') end
  seen[ARGV[i]] = true
end
local outcomes = {}
for i = 3, #ARGV, 4 do
  local userId, name, hash, expiresAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local user = P .. 'user:' .. userId
  local outcome
  if redis.call('HEXISTS', user, 'revokedAt') == 1 then outcome = 'revoked'
  elseif redis.call('HEXISTS', user, 'identityKey') == 1 then outcome = 'enrolled'
  else
    local pending = false
    for _, old in ipairs(redis.call('SMEMBERS', P .. 'invites:' .. userId)) do
      local row = redis.call('HMGET', P .. 'invite:' .. old, 'expiresAt', 'usedAt', 'cancelledAt')
      if row[1] and not row[2] and not row[3] and tonumber(row[1]) > tonumber(now) then pending = true end
    end
    if pending and not renew then outcome = 'already-invited'
    else
      local cancelled = cancelPending(userId, now)
      redis.call('HSET', P .. 'invite:' .. hash, 'userId', userId, 'displayName', name, 'createdAt', now, 'expiresAt', expiresAt)
      redis.call('SADD', P .. 'invites:' .. userId, hash)
      redis.call('SADD', P .. 'invites', hash)
      audit(now, 'cli', 'invite.created', userId, '{"expiresAt":' .. expiresAt .. ',"cancelledOlder":' .. cancelled .. ',"bulk":1}')
      if pending then outcome = 'renewed' else outcome = 'invited' end
    end
  end
  outcomes[#outcomes + 1] = outcome
end
return cjson.encode(outcomes)
`;

/**
 * ARGV: userId, last-resort package, then the one-time packages (base64url, in order). Replaces
 * the user's whole set, bound to their live device; 'no-device' if they have none (revoked, or
 * never enrolled), as server/db/key-packages.ts.
 */
export const PUBLISH_KEY_PACKAGES = `
local P = '${KEY_PREFIX}'
local userId = ARGV[1]
local user = P .. 'user:' .. userId
if redis.call('HEXISTS', user, 'identityKey') == 0 or redis.call('HEXISTS', user, 'revokedAt') == 1 then return 'no-device' end
local list = P .. 'key-packages:' .. userId
redis.call('DEL', list)
for index = 3, #ARGV do redis.call('RPUSH', list, ARGV[index]) end
redis.call('SET', P .. 'key-package-last:' .. userId, ARGV[2])
return 'published'
`;

/**
 * ARGV: user ids (distinct). For each, the oldest one-time package, removed as it is handed out,
 * or else the last-resort one, which stays; users with neither (or no live device) are left out.
 * Returns userId, package pairs.
 */
export const TAKE_KEY_PACKAGES = `
local P = '${KEY_PREFIX}'
local found = {}
for _, userId in ipairs(ARGV) do
  if redis.call('HEXISTS', P .. 'user:' .. userId, 'identityKey') == 1 then
    local bytes = redis.call('LPOP', P .. 'key-packages:' .. userId) or redis.call('GET', P .. 'key-package-last:' .. userId)
    if bytes then
      found[#found + 1] = userId
      found[#found + 1] = bytes
    end
  end
end
return found
`;
