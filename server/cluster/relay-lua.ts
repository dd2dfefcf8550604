import { PROTOCOL_VERSION } from '../../shared/protocol';

/*
 * The call relay's state changes, as Lua scripts Redis runs atomically: the same rules as the
 * one-instance relay (server/relay/call-relay.ts), so that two instances handling the two sides
 * of a call can never both think they won a race. Each script returns a list of effects,
 * `{kind, to, token, a, b}`, that the calling instance carries out in order.
 *
 * Deliveries read the recipient's session token in the same script. One for a session on another
 * instance is PUBLISHed by the script itself on that instance's channel, as the finished message
 * text: the sender's instance waits for one round trip, not two, and everything one user is sent
 * still goes out in the order the scripts ran. One for a session on the calling instance comes
 * back as an effect.
 *
 * Presence changes are PUBLISHed from inside the scripts too, so every instance hears them in the
 * order they happened. ARGV[1..4] are always now (ms), the call grace (ms), the invite timeout
 * (ms), and the calling instance's id.
 */

const PRELUDE = `
local P = 'sealcall:'
local now, grace, invite_ms, here = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local out = {}
-- What a 'relay' delivery passes on: the sender's instance serialised it after checking it.
local relayed = ''
local function emit(kind, to, token, a, b) out[#out + 1] = {kind, to, token, a or '', b or ''} end
local function token_of(u) return redis.call('HGET', P .. 'sessions', u) or '' end
local function text_of(kind, a, b)
  if kind == 'relay' then return relayed end
  if kind == 'held' then return a end
  if kind == 'ended' then return '{"v":${PROTOCOL_VERSION},"type":"call.ended","callId":' .. cjson.encode(a) .. ',"reason":' .. cjson.encode(b) .. '}' end
  return '{"v":${PROTOCOL_VERSION},"type":"call.busy","callId":' .. cjson.encode(a) .. ',"from":' .. cjson.encode(b) .. '}'
end
-- The envelope is cluster-events.ts's 'message' event, as JSON.stringify writes it, so every
-- instance reads it; user ids hold no quote, so the receiver cuts the message text out of it
-- without parsing it.
local function deliver(kind, to, a, b)
  local token = token_of(to)
  local where = string.match(token, '^(.*):')
  if where and where ~= here then
    redis.call('PUBLISH', P .. 'to:' .. where, '{"k":"message","u":"' .. to .. '","m":' .. text_of(kind, a, b) .. '}')
  else
    emit(kind, to, token, a, b)
  end
end
local function refuse(code, text) emit('refuse', '', '', code, text); return out end
local function set_busy(u, busy)
  if busy then redis.call('SADD', P .. 'busy', u) else redis.call('SREM', P .. 'busy', u) end
  redis.call('PUBLISH', P .. 'presence', (busy and 'busy|' or 'free|') .. u)
end
local function get_call(id)
  local f = redis.call('HMGET', P .. 'call:' .. id, 'caller', 'callee', 'state', 'absent_caller', 'absent_callee')
  if not f[1] then return nil end
  return {id = id, caller = f[1], callee = f[2], state = f[3], absent_caller = f[4] == '1', absent_callee = f[5] == '1'}
end
-- Each party's absence (a dropped session during the active call) has its own grace deadline,
-- a member of the deadlines set named 'callId|role'; an invite's timeout is the bare callId.
local function role_of(c, u) return c.caller == u and 'caller' or 'callee' end
local function is_absent(c, u) if c.caller == u then return c.absent_caller else return c.callee == u and c.absent_callee end end
local function set_deadline(id, at)
  redis.call('ZADD', P .. 'deadlines', at, id)
  emit('deadline', '', '', tostring(at))
end
local function release_call_of(u, id)
  if redis.call('GET', P .. 'callof:' .. u) == id then
    redis.call('DEL', P .. 'callof:' .. u)
    -- A member of a group call stays busy (group-lua.ts frees it when it leaves the group).
    if redis.call('EXISTS', P .. 'group-of:' .. u) == 0 then set_busy(u, false) end
  end
end
local function end_call(c)
  redis.call('DEL', P .. 'call:' .. c.id)
  redis.call('ZREM', P .. 'deadlines', c.id, c.id .. '|caller', c.id .. '|callee')
  release_call_of(c.caller, c.id)
  release_call_of(c.callee, c.id)
end
local function abandon(c, u, reason)
  end_call(c)
  deliver('ended', c.caller == u and c.callee or c.caller, c.id, reason)
end
local function drop_claims_of(u)
  local id = redis.call('GET', P .. 'claimof:' .. u)
  if not id then return end
  if redis.call('HGET', P .. 'claim:' .. id, 'from') == u then redis.call('DEL', P .. 'claim:' .. id, P .. 'held:' .. id) end
  redis.call('DEL', P .. 'claimof:' .. u)
end
local function new_call(id, caller, callee, state)
  redis.call('HSET', P .. 'call:' .. id, 'caller', caller, 'callee', callee, 'state', state, 'absent_caller', '', 'absent_callee', '')
  redis.call('SET', P .. 'callof:' .. caller, id)
  redis.call('SET', P .. 'callof:' .. callee, id)
  set_busy(caller, true)
  set_busy(callee, true)
end
local function user_gone(u, reason)
  drop_claims_of(u)
  local id = redis.call('GET', P .. 'callof:' .. u)
  if not id then return end
  local c = get_call(id)
  if not c then redis.call('DEL', P .. 'callof:' .. u); return end
  if reason == 'peer-disconnected' and c.state == 'active' and not is_absent(c, u) then
    redis.call('HSET', P .. 'call:' .. id, 'absent_' .. role_of(c, u), '1')
    set_deadline(id .. '|' .. role_of(c, u), now + grace)
    return
  end
  abandon(c, u, reason)
end
local function came_back(c, u)
  if is_absent(c, u) then
    redis.call('HSET', P .. 'call:' .. c.id, 'absent_' .. role_of(c, u), '')
    redis.call('ZREM', P .. 'deadlines', c.id .. '|' .. role_of(c, u))
  end
end
`;

/** ARGV[5..]: callId, from, to, type, rule role, ',states,', ends call ('1'/'0'), relayed JSON (to pass on or hold), max held. */
const HANDLE = `
local id, from, to, kind, rule_role, rule_states, ends, held_json, max_held = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12], tonumber(ARGV[13])
relayed = held_json
local c = get_call(id)
if not c then
  local claim = redis.call('HMGET', P .. 'claim:' .. id, 'from', 'to')
  if claim[1] == from and claim[2] == to and kind == 'call.signal' and redis.call('LLEN', P .. 'held:' .. id) < max_held then
    redis.call('RPUSH', P .. 'held:' .. id, held_json)
    redis.call('PEXPIRE', P .. 'held:' .. id, math.max(1, redis.call('PTTL', P .. 'claim:' .. id)))
    return out
  end
end
if not c or (c.caller ~= from and c.callee ~= from) then return refuse('not-in-call', 'you are not in call ' .. id) end
local role = c.caller == from and 'caller' or 'callee'
local peer = role == 'caller' and c.callee or c.caller
if to ~= peer then return refuse('not-in-call', 'call ' .. id .. " is with '" .. peer .. "', not '" .. to .. "'") end
if (rule_role ~= 'either' and rule_role ~= role) or not string.find(rule_states, ',' .. c.state .. ',', 1, true) then
  return refuse('not-in-call', kind .. ' is not valid from the ' .. role .. ' of a ' .. c.state .. ' call')
end
came_back(c, from)
if kind == 'call.accept' then
  redis.call('HSET', P .. 'call:' .. id, 'state', 'active')
  redis.call('ZREM', P .. 'deadlines', id)
end
deliver('relay', peer)
if ends == '1' then end_call(c) end
return out
`;

/** ARGV[5..]: callId, from, to, relayed JSON. The caller has checked that `to` is someone else in the directory. */
const INVITE = `
local id, from, to = ARGV[5], ARGV[6], ARGV[7]
relayed = ARGV[8]
if redis.call('EXISTS', P .. 'call:' .. id) == 1 or redis.call('EXISTS', P .. 'claim:' .. id) == 1 then
  return refuse('bad-message', 'that call id is already in use: pick a fresh random one')
end
local left_id = redis.call('GET', P .. 'callof:' .. from)
if left_id then
  local left = get_call(left_id)
  if left and is_absent(left, from) then abandon(left, from, 'peer-disconnected') end
end
drop_claims_of(from)
if redis.call('EXISTS', P .. 'callof:' .. from) == 1 then return refuse('bad-message', 'you are already in a call: end it before starting another') end
if redis.call('HEXISTS', P .. 'sessions', to) == 0 then return refuse('user-offline', "'" .. to .. "' is offline") end
if redis.call('EXISTS', P .. 'callof:' .. to) == 1 then
  deliver('busy', from, id, to)
  return out
end
new_call(id, from, to, 'ringing')
set_deadline(id, now + invite_ms)
deliver('relay', to)
return out
`;

/** ARGV[5..]: callId, from, to, role, claim lifetime (ms). */
const RESUME = `
local id, from, to, role, claim_ms = ARGV[5], ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])
local known = get_call(id)
if known then
  local claimed
  if role == 'caller' then claimed = known.caller == from and known.callee == to else claimed = known.callee == from and known.caller == to end
  if not claimed or known.state ~= 'active' then return refuse('not-in-call', 'you are not in an active call ' .. id .. " with '" .. to .. "'") end
  came_back(known, from)
  return out
end
if to == from then return refuse('bad-message', 'you cannot be in a call with yourself') end
if redis.call('EXISTS', P .. 'callof:' .. from) == 1 then return refuse('bad-message', 'you are already in another call') end
if redis.call('EXISTS', P .. 'callof:' .. to) == 1 then return refuse('not-in-call', "'" .. to .. "' is in another call") end
local theirs = redis.call('HMGET', P .. 'claim:' .. id, 'from', 'to', 'role')
if not theirs[1] then
  drop_claims_of(from)
  redis.call('HSET', P .. 'claim:' .. id, 'from', from, 'to', to, 'role', role)
  redis.call('PEXPIRE', P .. 'claim:' .. id, claim_ms)
  redis.call('SET', P .. 'claimof:' .. from, id, 'PX', claim_ms)
  return out
end
if theirs[1] == from then return out end
if theirs[1] ~= to or theirs[2] ~= from or theirs[3] == role then return refuse('not-in-call', 'call ' .. id .. ' is claimed by others') end
local held = redis.call('LRANGE', P .. 'held:' .. id, 0, -1)
redis.call('DEL', P .. 'claim:' .. id, P .. 'held:' .. id, P .. 'claimof:' .. to)
if role == 'caller' then new_call(id, from, to, 'active') else new_call(id, to, from, 'active') end
for _, json in ipairs(held) do deliver('held', from, json) end
return out
`;

/** ARGV[5..]: user, reason ('peer-disconnected' | 'peer-revoked'). */
const USER_GONE = `
user_gone(ARGV[5], ARGV[6])
return out
`;

/** ARGV[5..]: most deadlines to handle in one run. Ends rings that timed out and calls whose grace ran out. */
const SWEEP = `
local ids = redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
for _, member in ipairs(ids) do
  redis.call('ZREM', P .. 'deadlines', member)
  local id, role = string.match(member, '^([^|]*)|(.*)$')
  local c = get_call(id or member)
  if c and not role and c.state == 'ringing' then
    end_call(c)
    deliver('ended', c.caller, c.id, 'timeout')
    deliver('ended', c.callee, c.id, 'timeout')
  elseif c and role == 'caller' and c.absent_caller then
    abandon(c, c.caller, 'peer-disconnected')
  elseif c and role == 'callee' and c.absent_callee then
    abandon(c, c.callee, 'peer-disconnected')
  end
end
local next_one = redis.call('ZRANGE', P .. 'deadlines', 0, 0, 'WITHSCORES')
if next_one[2] then emit('deadline', '', '', next_one[2]) end
return out
`;

/**
 * ARGV[5..]: user, token. A session became the user's one session in the cluster; the one it
 * replaces (on this instance or another) is reported as `replaced` and leaves its call the way a
 * dropped connection does, in this same step: a resume sent on the new session cannot overtake it.
 */
const SESSION_CLAIM = `
local u, token = ARGV[5], ARGV[6]
local instance = string.match(token, '^(.*):')
local previous = redis.call('HGET', P .. 'sessions', u)
redis.call('HSET', P .. 'sessions', u, token)
redis.call('SADD', P .. 'users-of:' .. instance, u)
if not previous then
  redis.call('PUBLISH', P .. 'presence', 'on|' .. u)
elseif previous ~= token then
  local old_instance = string.match(previous, '^(.*):')
  if old_instance ~= instance then redis.call('SREM', P .. 'users-of:' .. old_instance, u) end
  emit('replaced', u, previous)
  user_gone(u, 'peer-disconnected')
end
return out
`;

/** ARGV[5..]: user, token, reason. Only the session still registered may end itself. */
const SESSION_RELEASE = `
local u, token, reason = ARGV[5], ARGV[6], ARGV[7]
if redis.call('HGET', P .. 'sessions', u) ~= token then return out end
redis.call('HDEL', P .. 'sessions', u)
redis.call('SREM', P .. 'users-of:' .. string.match(token, '^(.*):'), u)
redis.call('PUBLISH', P .. 'presence', 'off|' .. u)
user_gone(u, reason)
return out
`;

/**
 * ARGV[5..]: instance id, force ('1' when an instance reaps itself at shutdown). Atomic with its
 * own check that the heartbeat is gone, and it takes the instance out of the set: of several
 * survivors that notice at once, the first reaps and the others find nothing left to do.
 */
const REAP = `
local dead, force = ARGV[5], ARGV[6] == '1'
if not force and redis.call('EXISTS', P .. 'instance:' .. dead) == 1 then return out end
if redis.call('SREM', P .. 'instances', dead) == 0 and not force then return out end
local prefix = dead .. ':'
for _, u in ipairs(redis.call('SMEMBERS', P .. 'users-of:' .. dead)) do
  local token = redis.call('HGET', P .. 'sessions', u)
  if token and string.sub(token, 1, #prefix) == prefix then
    redis.call('HDEL', P .. 'sessions', u)
    redis.call('PUBLISH', P .. 'presence', 'off|' .. u)
    emit('reaped', u, token)
    user_gone(u, 'peer-disconnected')
  end
end
redis.call('DEL', P .. 'users-of:' .. dead)
return out
`;

export const RELAY_LUA = {
  handle: PRELUDE + HANDLE,
  invite: PRELUDE + INVITE,
  resume: PRELUDE + RESUME,
  userGone: PRELUDE + USER_GONE,
  sweep: PRELUDE + SWEEP,
  sessionClaim: PRELUDE + SESSION_CLAIM,
  sessionRelease: PRELUDE + SESSION_RELEASE,
  reap: PRELUDE + REAP,
} as const;

export type RelayScriptName = keyof typeof RELAY_LUA;
