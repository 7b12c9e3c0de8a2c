-- Sliding-window counter: the previous fixed window's count, weighted by how much of it still
-- overlaps the sliding window, plus the current window's count. Rejected hits are not counted,
-- so a client that backs off recovers. One hash key per counter keeps it cluster-safe.
--
-- KEYS[1]  hash with fields w (current window start, ms), c (its count), p (previous window's count)
-- ARGV[1]  window length in ms
-- ARGV[2]  limit (requests per window)
-- ARGV[3]  hits to add; 0 checks without counting
--
-- Returns {allowed (1|0), remaining, reset_ms (until the current fixed window ends)}.
-- Time comes from the Redis server, so replicas with skewed clocks agree.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local hits = tonumber(ARGV[3])

local start = now - (now % window)
local fields = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w = tonumber(fields[1])
local c = tonumber(fields[2]) or 0
local p = tonumber(fields[3]) or 0
if w ~= start then
  if w == start - window then p = c else p = 0 end
  c = 0
end

local elapsed = now - start
local estimated = p * (window - elapsed) / window + c
local reset = window - elapsed

if estimated + hits > limit then
  local remaining = math.floor(limit - estimated)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, reset}
end

if hits > 0 then
  c = c + hits
  redis.call('HSET', KEYS[1], 'w', start, 'c', c, 'p', p)
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
return {1, math.floor(limit - estimated - hits), reset}
