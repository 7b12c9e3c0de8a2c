-- Fixed windows of one or more checks, in one call: for each key the reference's INCRBY then EXPIRE,
-- so the key layout, counts and expiry are exactly envoyproxy/ratelimit's while N descriptors cost
-- one command instead of 2N. (In cluster mode keys of different slots cannot share a script; the
-- adapter then sends plain INCRBY + EXPIRE per key, pipelined per node.)
--
-- One call serves the checks of many clients, so one bad key must not fail the others: each
-- command runs under pcall and its error stays on its own key.
--
-- KEYS[i]       counter key "<prefix><domain>_<key>_<value>_..._<window start>"
-- ARGV[2i - 1]  hits to add to KEYS[i] (0 reads without counting)
-- ARGV[2i]      expiry in seconds for KEYS[i] (window + jitter)
--
-- Returns, in KEYS order, the counter value after INCRBY, where
--   * a counter that would overflow int64 (or sits above 2^53 - 1) is CAP = 2^53 - 1: over any
--     limit, and exact in Lua and JavaScript numbers (a Lua number near 2^63 would not convert
--     back to an integer reply safely);
--   * any other error on the key (wrong type, not an integer) is nil, which fails only the check
--     that holds this key.
local CAP = 9007199254740991
local after = {}
for i = 1, #KEYS do
  local n = redis.pcall('INCRBY', KEYS[i], ARGV[2 * i - 1])
  if type(n) == 'table' then
    if n.err and string.find(n.err, 'overflow', 1, true) then n = CAP else n = false end
  elseif n > CAP then
    n = CAP
  end
  -- Also on a failed key: a key nobody can count expires instead of failing every window.
  redis.pcall('EXPIRE', KEYS[i], ARGV[2 * i])
  after[i] = n
end
return after
