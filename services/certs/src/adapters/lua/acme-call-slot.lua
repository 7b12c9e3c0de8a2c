-- Reserves the next free call slot of one CA + account: a sliding-window log of reserved call
-- times, shared by every replica. A caller gets the earliest time at which its call keeps every
-- window of ARGV[1] ms at no more than ARGV[2] calls, and waits until then: callers are served in
-- the order they asked, nobody polls or retries. Reserved times never decrease, so the limit-th
-- latest reservation decides the next one (an answered call's entry may move later, to the time of
-- its answer: acme-call-answered.lua; that only holds the next calls back longer).
--
-- KEYS[1]  sorted set: member = call id, score = reserved call time (ms, Redis clock)
-- ARGV[1]  window in ms
-- ARGV[2]  limit (calls per window)
-- ARGV[3]  a unique id for this call
-- ARGV[4]  longest acceptable wait in ms; a later slot is not reserved
--
-- Returns {reserved (1|0), wait_ms}: how long until the reserved slot, or (not reserved) until
-- the slot that was too far away. Time comes from the Redis server, so replicas with skewed
-- clocks agree.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])

-- Entries a window old can no longer hold a new call back.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local at = now
local decisive = redis.call('ZREVRANGE', KEYS[1], limit - 1, limit - 1, 'WITHSCORES')
if decisive[2] then at = math.max(now, tonumber(decisive[2]) + window) end

local wait = at - now
if wait > tonumber(ARGV[4]) then return {0, wait} end
redis.call('ZADD', KEYS[1], at, ARGV[3])
redis.call('PEXPIRE', KEYS[1], wait + window)
return {1, wait}
