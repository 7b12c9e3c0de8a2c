-- GCRA (generic cell rate algorithm): a smooth rate with an explicit burst and no double burst
-- at window edges. One key holds the theoretical arrival time (TAT) in milliseconds.
--
-- KEYS[1]  the TAT key (string, milliseconds with 3 decimals; expires when the bucket is full again)
-- ARGV[1]  emission interval in ms = window_ms / limit (may be fractional)
-- ARGV[2]  burst: how many requests may arrive at once
-- ARGV[3]  hits to add; 0 checks without counting
--
-- Returns {allowed (1|0), remaining, reset_ms}. When allowed, reset_ms is the time until the burst
-- is fully available again; when denied, it is the time until these hits would be allowed.
-- Time comes from the Redis server, so replicas with skewed clocks agree.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local hits = tonumber(ARGV[3])

local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local tolerance = interval * burst
local new_tat = tat + interval * hits
local allow_at = new_tat - tolerance

if allow_at > now then
  local remaining = math.floor((now + tolerance - tat) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, math.ceil(allow_at - now)}
end

if hits > 0 then
  redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end
return {1, math.floor((now + tolerance - new_tat) / interval), math.ceil(new_tat - now)}
