-- Unlists a connection from a channel's presence, and uncounts it in the presence index of the
-- node its entry names and in its user's count. KEYS: [1] the channel's presence hash, [2] the
-- channel's users hash, [3] the channel's events pub/sub channel. ARGV: [1] the connection id,
-- [2] the channel, [3] and [4] what goes before and after a node's id to make its index's key,
-- [5] and [6] the leave to publish when it was its user's last connection, and when it was not
-- (both empty: publish nothing). An entry already gone (its node was taken for dead and reaped)
-- changes nothing and publishes nothing.
-- Returns {connections of its user left}: 0 when it was the last, -1 when it was not listed.
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then
  return {-1}
end
redis.call('HDEL', KEYS[1], ARGV[1])
local left = 0
local ok, decoded = pcall(cjson.decode, entry)
if ok and type(decoded) == 'table' and type(decoded.node) == 'string' then
  local index = ARGV[3] .. decoded.node .. ARGV[4]
  if redis.call('HINCRBY', index, ARGV[2], -1) <= 0 then
    redis.call('HDEL', index, ARGV[2])
  end
end
if ok and type(decoded) == 'table' and type(decoded.user) == 'string' then
  left = redis.call('HINCRBY', KEYS[2], decoded.user, -1)
  if left <= 0 then
    redis.call('HDEL', KEYS[2], decoded.user)
    left = 0
  end
end
local leave = left == 0 and ARGV[5] or ARGV[6]
if leave ~= '' then
  redis.call('PUBLISH', KEYS[3], leave)
end
return {left}
