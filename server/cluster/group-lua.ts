/*
 * Group calls across instances (docs/protocol.md, "Group calls"; docs/deployment.md, "Several
 * instances"): the scripts that change a group in Redis. A group is one JSON document under
 * `sealcall:group:<id>` with a revision number; a script runs alone on the Redis server, so the
 * check of a group's state, its new state and the deliveries that follow from it happen in one
 * step, and of two instances racing on one group exactly one wins.
 *
 * Deliveries work as the 1:1 relay's (relay-lua.ts): the script reads the recipient's session
 * token and PUBLISHes the finished message text on the channel of the instance that holds it, or
 * hands it back as a `local` row when that is the calling instance. A member away in its grace
 * gets its messages queued instead (at most `max_missed`), and the whole queue when it is back.
 *
 * ARGV[1..4] are always now (ms), the calling instance's id, the grace (ms) and the most messages
 * kept for an away member; ARGV[5] is the group id. Every script returns rows of strings:
 * `{'local', user, token, text}`, `{'refuse', code, message, epoch}`, `{'overflow', user}` (an away
 * member missed too much and must be removed), `{'deadline', at}`, `{'conflict'}` (the group
 * changed since it was read: read again) or `{'skip'}` (the session the change was for is gone).
 */

const PRELUDE = `
local P = 'sealcall:'
local now, here, grace, max_missed, id = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local key = P .. 'group:' .. id
local out = {}
local function emit(row) out[#out + 1] = row end
local function missed_key(u) return P .. 'group-missed:' .. id .. ':' .. u end
local function has(list, u)
  for _, member in ipairs(list or {}) do if member == u then return true end end
  return false
end
local function set_of(list)
  local s = {}
  for _, u in ipairs(list or {}) do s[u] = true end
  return s
end
-- The envelope is cluster-events.ts's 'message' event, as the 1:1 relay scripts write it.
local function send(u, text)
  local token = redis.call('HGET', P .. 'sessions', u)
  if not token then return false end
  local where = string.match(token, '^(.*):')
  if where and where ~= here then
    redis.call('PUBLISH', P .. 'to:' .. where, '{"k":"message","u":"' .. u .. '","m":' .. text .. '}')
  else
    emit({'local', u, token, text})
  end
  return true
end
-- To a member: now, or kept while it is away in its grace. One with no session at all is away
-- too: its instance has released the session but not yet started the grace (the next step).
local function to_member(g, u, text)
  if (g and type(g.away) == 'table' and g.away[u]) or redis.call('HEXISTS', P .. 'sessions', u) == 0 then
    local list = missed_key(u)
    if redis.call('LLEN', list) < max_missed then
      redis.call('RPUSH', list, text)
    else
      emit({'overflow', u})
    end
  else
    send(u, text)
  end
end
-- A member back from its grace: what it missed, in order.
local function flush(u)
  local list = missed_key(u)
  for _, text in ipairs(redis.call('LRANGE', list, 0, -1)) do send(u, text) end
  redis.call('DEL', list)
end
local function quoted_list(list)
  local parts = {}
  for _, u in ipairs(list) do parts[#parts + 1] = cjson.encode(u) end
  return '[' .. table.concat(parts, ',') .. ']'
end
local function set_busy(u, busy)
  if busy then redis.call('SADD', P .. 'busy', u) else redis.call('SREM', P .. 'busy', u) end
  redis.call('PUBLISH', P .. 'presence', (busy and 'busy|' or 'free|') .. u)
end
local function deadline_of(u) return id .. '|' .. u end
-- The indexes that follow from a group's members, invitees and absences, brought from old to new.
local function sync(old, new)
  local old_members, new_members = set_of(old and old.members), set_of(new and new.members)
  for u in pairs(old_members) do
    if not new_members[u] then
      if redis.call('GET', P .. 'group-of:' .. u) == id then redis.call('DEL', P .. 'group-of:' .. u) end
      redis.call('DEL', missed_key(u))
      -- A 1:1 call keeps its party busy (relay-lua.ts frees only one in no group).
      if redis.call('EXISTS', P .. 'callof:' .. u) == 0 then set_busy(u, false) end
    end
  end
  for u in pairs(new_members) do
    if not old_members[u] then
      redis.call('SET', P .. 'group-of:' .. u, id)
      set_busy(u, true)
    end
  end
  local old_invited, new_invited = set_of(old and old.invited), set_of(new and new.invited)
  for u in pairs(old_invited) do if not new_invited[u] then redis.call('SREM', P .. 'group-invited:' .. u, id) end end
  for u in pairs(new_invited) do if not old_invited[u] then redis.call('SADD', P .. 'group-invited:' .. u, id) end end
  for u in pairs(old_members) do
    if not (new and type(new.away) == 'table' and new.away[u]) then redis.call('ZREM', P .. 'group-deadlines', deadline_of(u)) end
  end
  if new and type(new.away) == 'table' then
    for u, at in pairs(new.away) do
      if not (old and type(old.away) == 'table' and old.away[u] == at) then
        redis.call('ZADD', P .. 'group-deadlines', at, deadline_of(u))
        emit({'deadline', tostring(at)})
      end
    end
  end
end
`;

/**
 * ARGV[6..]: the revision read (0: the group must not exist), the new document ('' unchanged,
 * '-' deleted), a user and the session token a change is for ('' for any: the change is skipped
 * if that user now has another session), then deliveries as (mode, user, text) triples: 'd' now
 * if connected, 'm' to a member (kept while away), 'f' the member's missed messages, 'r' a ring
 * (only to a session that published KeyPackages), 'R' the group.rung to the owner (text: the
 * message up to its lists, which the script fills with whom the 'r's reached).
 */
const APPLY = `
local expected, doc, guard_user, guard_token = tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
local current = redis.call('GET', key)
local old = current and cjson.decode(current) or nil
if (old and old.rev or 0) ~= expected then return {{'conflict'}} end
if guard_user ~= '' then
  local token = redis.call('HGET', P .. 'sessions', guard_user)
  if token and token ~= guard_token then return {{'skip'}} end
end
local new = old
if doc == '-' then new = nil elseif doc ~= '' then new = cjson.decode(doc) end
if doc ~= '' then
  -- One group per user: someone else's change may have put a newcomer in another group meanwhile.
  local before = set_of(old and old.members)
  for _, u in ipairs(new and new.members or {}) do
    local other = redis.call('GET', P .. 'group-of:' .. u)
    if not before[u] and other and other ~= id then return {{'conflict'}} end
  end
  if new then
    new.rev = expected + 1
    redis.call('SET', key, cjson.encode(new))
  else
    redis.call('DEL', key)
  end
  sync(old, new)
end
local rung, unavailable = {}, {}
for index = 10, #ARGV, 3 do
  local mode, u, text = ARGV[index], ARGV[index + 1], ARGV[index + 2]
  if mode == 'd' then
    send(u, text)
  elseif mode == 'm' then
    to_member(new, u, text)
  elseif mode == 'f' then
    flush(u)
  elseif mode == 'r' then
    local token = redis.call('HGET', P .. 'sessions', u)
    if token and redis.call('HGET', P .. 'ringable', u) == token and send(u, text) then
      rung[#rung + 1] = u
    else
      unavailable[#unavailable + 1] = u
    end
  elseif mode == 'R' then
    send(u, text .. '"rung":' .. quoted_list(rung) .. ',"unavailable":' .. quoted_list(unavailable) .. '}')
  end
end
return out
`;

/**
 * ARGV[6..]: sender, epoch, the group.committed text, the welcome's recipients (user ids, one per
 * line; '' for none) and the group.welcome text. The epoch is compared and bumped, and the commit fanned out to every
 * member, in this one step: of two commits for one epoch, the first to reach Redis is the one
 * every member gets, and the other is refused with the current epoch.
 */
const COMMIT = `
local from, epoch, committed, welcome_to, welcome = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9], ARGV[10]
local current = redis.call('GET', key)
local g = current and cjson.decode(current) or nil
if not g or not has(g.members, from) then
  emit({'refuse', 'not-a-member', 'you are not a member of group ' .. id, ''})
  return out
end
local came_back = type(g.away) == 'table' and g.away[from] ~= nil
if came_back then
  g.away[from] = nil
  redis.call('ZREM', P .. 'group-deadlines', deadline_of(from))
  flush(from)
end
local refusal
if g.epoch ~= epoch then
  refusal = {'refuse', 'stale-epoch', 'group ' .. id .. ' is at epoch ' .. string.format('%d', g.epoch) .. ', not ' .. string.format('%d', epoch) .. ': process the commits you have not yet seen, then retry if still needed', string.format('%d', g.epoch)}
else
  for u in string.gmatch(welcome_to, '[^\\n]+') do
    if u == from or not has(g.members, u) then
      refusal = {'refuse', 'not-a-member', 'a welcome goes only to someone who joined group ' .. id, ''}
    end
  end
end
if refusal then
  if came_back then
    g.rev = g.rev + 1
    redis.call('SET', key, cjson.encode(g))
  end
  emit(refusal)
  return out
end
g.epoch = g.epoch + 1
g.rev = g.rev + 1
redis.call('SET', key, cjson.encode(g))
for _, u in ipairs(g.members) do to_member(g, u, committed) end
for u in string.gmatch(welcome_to, '[^\\n]+') do to_member(g, u, welcome) end
return out
`;

export const GROUP_LUA = {
  apply: PRELUDE + APPLY,
  commit: PRELUDE + COMMIT,
} as const;

export type GroupScriptName = keyof typeof GROUP_LUA;
