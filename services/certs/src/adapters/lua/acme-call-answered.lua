-- Moves one call's entry in the log of its CA + account (see acme-call-slot.lua) from its reserved
-- time to now, the time its answer came back, when that is later. The CA saw the call somewhere
-- between the two: a request that took long to arrive (a fresh TLS connection on a busy host) no
-- longer lets the calls reserved after its answer count from its earlier, reserved time. Entries only
-- ever move later, so the log stays a conservative record of when calls reached the CA.
--
-- KEYS[1]  sorted set: member = call id, score = call time (ms, Redis clock)
-- ARGV[1]  the call id
-- ARGV[2]  window in ms (the log is kept at least this long after the move)
--
-- Returns 1 when the entry moved, 0 otherwise (already later, or gone).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) >= now then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
