-- Sliding-window counter: the previous fixed window's count, weighted by how much of it still
-- overlaps the sliding window, plus the current window's count. Rejected hits are not counted,
-- so a client that backs off recovers. One hash key per counter keeps it cluster-safe.
--
-- KEYS[1]  hash with fields w (current window start, ms), c (its count), p (previous window's count)
-- ARGV[1]  window length in ms
-- ARGV[2]  limit (requests per window)
-- ARGV[3]  hits to add; 0 checks without counting
--
-- Returns {allowed (1|0), remaining, reset_ms}: when allowed, the time until the current fixed
-- window ends; when denied, the time until these hits would be allowed (the estimate falls as the
-- previous window slides out, and again once the current window becomes the previous one).
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
  local wait
  if p > 0 and c + hits <= limit then
    -- Later in this window: p * (window - e) / window + c + hits <= limit.
    wait = math.ceil(window - (limit - c - hits) * window / p) - elapsed
  elseif c > 0 and hits <= limit then
    -- In the next window, once enough of this window's count has slid out.
    wait = reset + math.ceil(window - (limit - hits) * window / c)
  else
    wait = reset
  end
  if wait < 1 then wait = 1 end
  return {0, remaining, wait}
end

if hits > 0 then
  c = c + hits
  redis.call('HSET', KEYS[1], 'w', start, 'c', c, 'p', p)
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
return {1, math.floor(limit - estimated - hits), reset}
