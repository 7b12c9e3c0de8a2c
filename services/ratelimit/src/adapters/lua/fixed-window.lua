-- Fixed windows of one check, in one call: for each key the reference's INCRBY then EXPIRE, so the
-- key layout, counts and expiry are exactly envoyproxy/ratelimit's while N descriptors cost one
-- command instead of 2N. (In cluster mode keys of different slots cannot share a script; the
-- adapter then sends plain INCRBY + EXPIRE per key, pipelined per node.)
--
-- KEYS[i]       counter key "<prefix><domain>_<key>_<value>_..._<window start>"
-- ARGV[2i - 1]  hits to add to KEYS[i] (0 reads without counting)
-- ARGV[2i]      expiry in seconds for KEYS[i] (window + jitter)
--
-- Returns the counter values after INCRBY, in KEYS order.
local after = {}
for i = 1, #KEYS do
  after[i] = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
  redis.call('EXPIRE', KEYS[i], ARGV[2 * i])
end
return after
