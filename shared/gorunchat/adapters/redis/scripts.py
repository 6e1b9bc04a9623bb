"""The Lua scripts of the stream bus. Each runs atomically on the Redis server.

Lease times use the Redis server clock (``TIME``), so instances with skewed clocks agree on
when a lease has run out.
"""

from __future__ import annotations

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: job, active, conversation, request
# ARGV: streamId, limit, leaseMs, safetyTtlS, requestTtlS, jobKeyPrefix, hasRequest, fields...
RESERVE = """
local sid, prefix = ARGV[1], ARGV[6]
if ARGV[7] == '1' then
  local prior = redis.call('GET', KEYS[4])
  if prior and redis.call('EXISTS', prefix .. prior) == 1 then
    return {'resumed', prior}
  end
end
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HGET', prefix .. member, 'state') ~= 'running' then
    redis.call('SREM', KEYS[2], member)
  end
end
local replaced = ''
local previous = redis.call('GET', KEYS[3])
if previous and previous ~= sid and redis.call('SISMEMBER', KEYS[2], previous) == 1 then
  replaced = previous
end
local count = redis.call('SCARD', KEYS[2])
if replaced ~= '' then count = count - 1 end
if count >= tonumber(ARGV[2]) then return {'limited', tostring(count)} end
""" + _NOW + """
if replaced ~= '' then
  redis.call('HSETNX', prefix .. replaced, 'cancel', 'generation_replaced')
  redis.call('SREM', KEYS[2], replaced)
end
redis.call('HSET', KEYS[1], 'createdAt', now, 'leaseExpiresAt', now + tonumber(ARGV[3]),
           'state', 'running', 'lastSeq', 0, unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], sid)
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], sid, 'EX', ARGV[4])
if ARGV[7] == '1' then redis.call('SET', KEYS[4], sid, 'EX', ARGV[5]) end
return {'started', sid, tostring(now + tonumber(ARGV[3])), replaced}
"""

# KEYS: job, log, snap, active
# ARGV: owner, maxlen, terminalState|'', terminalTtlS, snapSeq|'', snapData, streamId,
#       then (seq, kind, data) triples
APPEND = """
local cur = redis.call('HMGET', KEYS[1], 'owner', 'state', 'cancel')
if cur[1] ~= ARGV[1] or cur[2] ~= 'running' then return {0, ''} end
local last = nil
for i = 8, #ARGV, 3 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. ARGV[i],
             'k', ARGV[i + 1], 'd', ARGV[i + 2])
  last = ARGV[i]
end
if last then redis.call('HSET', KEYS[1], 'lastSeq', last) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], 'seq', ARGV[5], 'd', ARGV[6]) end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[3])
  redis.call('SREM', KEYS[4], ARGV[7])
  for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ARGV[4]) end
end
return {1, cur[3] or ''}
"""

# KEYS: job, log, snap   ARGV: owner, leaseMs, safetyTtlS
RENEW = """
local cur = redis.call('HMGET', KEYS[1], 'owner', 'state', 'cancel')
if cur[1] ~= ARGV[1] or cur[2] ~= 'running' then return {0, '', '0'} end
""" + _NOW + """
local expires = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'leaseExpiresAt', expires)
for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ARGV[3]) end
return {1, cur[3] or '', tostring(expires)}
"""

# KEYS: job   ARGV: newOwner, leaseMs
# Returns {0} when the job is gone or finished, {2, expiry} while its lease still runs,
# {1, expiry} when the caller now owns it.
CLAIM = """
local cur = redis.call('HMGET', KEYS[1], 'state', 'leaseExpiresAt')
if cur[1] ~= 'running' then return {0, '0'} end
""" + _NOW + """
if tonumber(cur[2]) > now then return {2, cur[2]} end
local expires = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'leaseExpiresAt', expires)
return {1, tostring(expires)}
"""

# KEYS: job   ARGV: reason
CANCEL = """
local cur = redis.call('HMGET', KEYS[1], 'state', 'owner')
if not cur[1] then return {0, ''} end
if cur[1] == 'running' then redis.call('HSETNX', KEYS[1], 'cancel', ARGV[1]) end
return {1, cur[2] or ''}
"""

# KEYS: snap, log   ARGV: count
SNAPSHOT = """
local s = redis.call('HMGET', KEYS[1], 'seq', 'd')
local after = s[1] or '0'
local entries = redis.call('XRANGE', KEYS[2], '(0-' .. after, '+', 'COUNT', ARGV[1])
return {s[1] or '', s[2] or '', entries}
"""
