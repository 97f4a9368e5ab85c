-- Unlists a connection from a channel's presence, and uncounts it in the presence index of the
-- node its entry names. KEYS: [1] the channel's presence hash. ARGV: [1] the connection id, [2]
-- the channel, [3] and [4] what goes before and after a node's id to make its index's key. An
-- entry already gone (its node was taken for dead and reaped) changes nothing.
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then
  return {}
end
redis.call('HDEL', KEYS[1], ARGV[1])
local ok, decoded = pcall(cjson.decode, entry)
if ok and type(decoded) == 'table' and type(decoded.node) == 'string' then
  local index = ARGV[3] .. decoded.node .. ARGV[4]
  if redis.call('HINCRBY', index, ARGV[2], -1) <= 0 then
    redis.call('HDEL', index, ARGV[2])
  end
end
return {}
