-- A node's heartbeat (docs/redis.md, "Nodes and presence"). KEYS: [1] the nodes sorted set (node
-- -> Redis time in ms until which it counts as alive), [2] the reaping sorted set (dead node ->
-- time until which a reaper's claim holds). ARGV: [1] this node, [2] its ttl (ms), [3] how long a
-- claim holds (ms), [4] how many dead nodes this call may claim (0 after this node was cut off
-- itself: the others may not have had their turn yet).
-- Returns {rejoined, claimed node ...}: rejoined is 1 when this node was not listed (its first
-- beat, or it had been taken for dead: its entries may have been reaped and must be added again).
local now = redis_millis()
local node = ARGV[1]
local rejoined = redis.call('ZSCORE', KEYS[1], node) == false and 1 or 0
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), node)
redis.call('ZREM', KEYS[2], node) -- alive again: a reaper working on it stops at its next step
local out = {rejoined}
local max = tonumber(ARGV[4])
if max > 0 then
  local claim_until = now + tonumber(ARGV[3])
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'LIMIT', 0, max)) do
    redis.call('ZREM', KEYS[1], dead)
    redis.call('ZADD', KEYS[2], claim_until, dead)
    out[#out + 1] = dead
  end
  if #out - 1 < max then
    -- claims whose reaper stopped (it died too) are taken over
    for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. now, 'LIMIT', 0, max - #out + 1)) do
      redis.call('ZADD', KEYS[2], claim_until, dead)
      out[#out + 1] = dead
    end
  end
end
return out
