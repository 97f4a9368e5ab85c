-- The newest statistics of the nodes that count as alive (RedisStats; docs/redis.md,
-- "Statistics"). KEYS[1] is the nodes' liveness (sorted set: node id, alive until in Redis time,
-- ms), KEYS[2] the statistics (hash: node id, that node's newest sample as JSON). ARGV[1] is this
-- node's id: its own always counts. The fields of nodes that do not count are deleted once their
-- node has been dead for longer than ARGV[2] ms, or is not in the set.
local now = redis_millis()
local grace = tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[2])
local out = {}
for j = 1, #fields, 2 do
  local node = fields[j]
  local score = tonumber(redis.call('ZSCORE', KEYS[1], node))
  if node == ARGV[1] or (score ~= nil and score >= now) then
    out[#out + 1] = fields[j + 1]
  elseif score == nil or score < now - grace then
    redis.call('HDEL', KEYS[2], node)
  end
end
return out
